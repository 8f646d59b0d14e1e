"""The Django app of kasify-orders (label ``kasify_orders``)."""

from __future__ import annotations

from django.apps import AppConfig
from django.core import checks
from django.core.signals import setting_changed


class KasifyOrdersConfig(AppConfig):
    """kasify-orders as a Django app: migrations, system checks, management commands, pages."""

    name = "kasify_orders.adapters.django"
    label = "kasify_orders"
    verbose_name = "Orders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Wire only: register the system checks; rebuild the ``Orders`` when the settings change."""
        from kasify_orders.adapters.django import checks as kasify_checks  # noqa: PLC0415

        checks.register(kasify_checks.check_settings, checks.Tags.compatibility)
        checks.register(kasify_checks.check_schema, checks.Tags.database)
        checks.register(kasify_checks.check_urls, checks.Tags.urls)
        setting_changed.connect(_settings_changed, dispatch_uid="kasify_orders.settings_changed")


def _settings_changed(setting: str, **_kwargs: object) -> None:
    if setting in {"KASIFY_ORDERS", "DATABASES", "DEFAULT_FROM_EMAIL"}:
        from kasify_orders.adapters.django.orders import reset  # noqa: PLC0415

        reset()
