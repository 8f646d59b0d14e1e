"""The Flask adapter's emails: through Flask-Mailman when the app has it, with its from address."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any

import attrs

from kasify_orders._extras import missing

try:
    import flask
    import flask_wtf  # noqa: F401 - the pages' CSRF tokens: refuse early without it
except ImportError as error:  # pragma: no cover - depends on the installation
    missing("flask", "the Flask adapter", error)

from kasify_orders import notifications
from kasify_orders.hookspecs import hookimpl
from kasify_orders.notifications.django_style import as_django_style
from kasify_orders.notifications.plugin import PLUGIN_NAME as _NOTIFIER
from kasify_orders.notifications.readiness import warn_once
from kasify_orders.service import Orders
from kasify_orders.settings import Settings

__all__ = ["HostMail", "HostMailSetup", "settings_from"]

# -- emails through the host's mail set-up --------------------------------------------------

#: ``Settings.from_email`` when nobody set it: a placeholder the host's sender replaces.
_PLACEHOLDER_FROM = attrs.fields(Settings).from_email.default


def settings_from(config: flask.Config) -> Settings | None:
    """``KASIFY_ORDERS_SETTINGS``, with ``MAIL_DEFAULT_SENDER`` as the from address unless it gives one.

    ``KASIFY_ORDERS_LOCALE`` and ``KASIFY_ORDERS_TIMEZONE`` become the settings' ``locale`` and
    ``timezone`` unless these set their own, so the emails speak the pages' language.
    """
    settings = _settings_from(config)
    language: dict[str, Any] = {
        "locale": str(config.get("KASIFY_ORDERS_LOCALE") or "en"),
        "timezone": str(config.get("KASIFY_ORDERS_TIMEZONE") or "UTC"),
    }
    defaults = {"locale": "en", "timezone": "UTC"}
    if settings is None:
        return None if language == defaults else Settings(**language)
    chosen: dict[str, Any] = {
        name: value for name, value in language.items() if getattr(settings, name) == defaults[name]
    }
    return attrs.evolve(settings, **chosen) if chosen else settings


def _settings_from(config: flask.Config) -> Settings | None:
    settings = config["KASIFY_ORDERS_SETTINGS"]
    sender = config.get("MAIL_DEFAULT_SENDER")
    if isinstance(sender, tuple | list) and len(sender) == 2:  # Flask-Mail's (name, address)
        sender = formataddr((str(sender[0]), str(sender[1])))
    sender = str(sender) if sender else None
    if isinstance(settings, Mapping):
        fields = dict(settings)
        if sender and "from_email" not in fields:
            fields["from_email"] = sender
        return Settings(**fields)
    if settings is None:
        return Settings(from_email=sender) if sender else None
    if not isinstance(settings, Settings):
        raise TypeError(
            "KASIFY_ORDERS_SETTINGS must be a kasify_orders.Settings or a dict,"
            f" not {type(settings).__name__}"
        )
    if sender and settings.from_email == _PLACEHOLDER_FROM:
        return attrs.evolve(settings, from_email=sender)
    return settings


class HostMailSetup:
    """Decides whether an app's emails go through Flask-Mailman, and warns once when none can go.

    ``Mail(app)`` may come before or after ``KasifyOrders(app)``, so until the app's first app
    context it is not known. An ``Orders`` kasify opened has its emails on from the start (so
    nothing placed meanwhile misses its email); if the app still has no Flask-Mailman (and no
    other sender) when it is first used, they are turned off with one warning, and on again if
    ``Mail(app)`` comes later still. An ``Orders`` the host passed keeps what it had until then.
    """

    def __init__(self, app: flask.Flask, orders: Orders, host_mail: HostMail | None) -> None:
        self.app = app
        self.orders = orders
        self.host_mail = host_mail
        self._lock = threading.Lock()
        self._settled = False
        self._checked = False

    def start(self) -> None:
        """Decide now when the app's mail set-up is known; else on each app context until it is."""
        if self.host_mail is not None and "mailman" not in self.app.extensions:
            flask.appcontext_pushed.connect(self.settle, sender=self.app)
            return
        self.settle()

    def settle(self, *_sender: object, **_extra: object) -> None:
        """Turn the emails on or off to match the app's mail set-up; warn once when none can go."""
        has_mailman = "mailman" in self.app.extensions
        if self._settled or (self._checked and not has_mailman):
            return
        with self._lock:
            plugins = self.orders.plugins
            if self.host_mail is None or has_mailman:
                if self.host_mail is not None:
                    notifications.install(self.orders)
                    flask.appcontext_pushed.disconnect(self.settle, sender=self.app)
                self._settled = True
            elif plugins.get_plugin(_NOTIFIER) is not None and not self._other_senders():
                plugins.unregister(name=_NOTIFIER)  # until Mail(app): no email is queued meanwhile
            self._checked = True
        warn_once(self.orders, notifications.email_problems_of(self.orders))

    def _other_senders(self) -> bool:
        impls = self.orders.plugins.hook.kasify_send_email.get_hookimpls()
        return any(impl.plugin is not self.host_mail for impl in impls)


class HostMail:
    """``kasify_send_email`` through Flask-Mailman, when the app has it (else SMTP answers)."""

    def __init__(self, app: flask.Flask) -> None:
        # Held by this app's own Orders only, so the app and its plugin live and die together.
        self.app = app

    @hookimpl
    def kasify_send_email(self, message: EmailMessage) -> bool | None:
        """Send *message* with the app's Flask-Mailman; None when the app has no Flask-Mailman."""
        if "mailman" not in self.app.extensions:
            return None
        from flask_mailman import EmailMultiAlternatives  # noqa: PLC0415 - optional dependency

        mail = as_django_style(message, EmailMultiAlternatives)
        with self.app.app_context():
            mail.send()
        return True
