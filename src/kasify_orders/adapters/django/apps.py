"""The Django app of kasify-orders (label ``kasify_orders``)."""

from __future__ import annotations

from django.apps import AppConfig
from django.core import checks
from django.core.signals import setting_changed


class KasifyOrdersConfig(AppConfig):
    """kasify-orders as a Django app: migrations, system checks, management commands, pages, admin."""

    name = "kasify_orders.adapters.django"
    label = "kasify_orders"
    verbose_name = "Orders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Register the system checks; follow the settings (the ``Orders``, the admin's table) as they change.

        Also warns once, in the log, when kasify cannot send emails (as ``kasify_orders.W005``
        and ``W006`` do in ``manage.py check``): production servers do not run the checks.
        """
        from kasify_orders.adapters.django import checks as kasify_checks  # noqa: PLC0415
        from kasify_orders.adapters.django.models import follow_settings  # noqa: PLC0415
        from kasify_orders.notifications.readiness import warn_once  # noqa: PLC0415

        checks.register(kasify_checks.check_settings, checks.Tags.compatibility)
        checks.register(kasify_checks.check_schema, checks.Tags.database)
        checks.register(kasify_checks.check_urls, checks.Tags.urls)
        checks.register(kasify_checks.check_mail, checks.Tags.compatibility)
        follow_settings()
        setting_changed.connect(_settings_changed, dispatch_uid="kasify_orders.settings_changed")
        warn_once(self, kasify_checks.mail_problems())


def _settings_changed(setting: str, **_kwargs: object) -> None:
    if setting in {"KASIFY_ORDERS", "DATABASES", "DEFAULT_FROM_EMAIL"}:
        from kasify_orders.adapters.django.models import follow_settings  # noqa: PLC0415
        from kasify_orders.adapters.django.orders import reset  # noqa: PLC0415

        reset()
        follow_settings()
