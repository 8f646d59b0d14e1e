"""Rendering emails: jinja2 templates (subject, plain text, HTML) into ``EmailMessage`` s.

Pure: no database, no network. Each kind has three templates, ``<kind>_subject.txt``,
``<kind>_message.txt`` and ``<kind>_message.html`` (the names Django shops know); a host
overrides any of them by putting a file of the same name in ``Settings.email_templates_dir``.
HTML templates are autoescaped, so nothing a customer typed can become markup; text
templates are not (they are not HTML), and the subject is folded onto one line.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, parseaddr
from typing import Any

import attrs
import jinja2
from babel import Locale

from kasify_orders import carriers, i18n
from kasify_orders.editable_settings import check_locks
from kasify_orders.errors import FieldError, ValidationError
from kasify_orders.i18n import formats
from kasify_orders.lifecycle import RefundStatus
from kasify_orders.model import Order, Refund, Shipment, utcnow
from kasify_orders.notifications import mime
from kasify_orders.notifications.kinds import EmailKind
from kasify_orders.notifications.money import format_money, parse_locale
from kasify_orders.settings import Settings

__all__ = ["Email", "Renderer", "WrittenMessage", "check_settings", "default_locale", "message_id"]

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_HTTP_URL = re.compile(r"^https?://[^\s\"'<>]+$")


@attrs.frozen
class WrittenMessage:
    """What the merchant wrote to the customer (a ``customer_message`` email's words)."""

    subject: str
    body: str
    #: Its ``customer_emailed`` timeline entry's ``data["message_key"]``.
    key: str


@attrs.frozen
class Email:
    """One email to send: its kind, its single recipient and its context."""

    kind: EmailKind
    #: The recipient's address.
    to: str
    #: The recipient's name for the ``To`` header ("" for none).
    to_name: str
    order: Order
    #: The shipment before a tracking correction.
    previous: Shipment | None = None
    #: The refund a refund confirmation is about.
    refund: Refund | None = None
    #: What the merchant wrote, for a ``customer_message``.
    message: WrittenMessage | None = None
    #: The parcel a shipping notification is about (None: the order's latest).
    shipment: Shipment | None = None


def _has_control(value: str) -> bool:
    return any(ord(char) < 32 or ord(char) == 127 for char in value)


def _check_address(errors: list[FieldError], path: str, value: str | None, *, named: bool) -> None:
    if value is None:
        return
    name, addr = parseaddr(value)
    if _has_control(value) or "@" not in addr or (name and not named):
        example = "orders@shop.example" + (' or "Shop <orders@shop.example>"' if named else "")
        errors.append(FieldError(path, f"must be an email address such as {example}, got {value!r}"))


def _check_language(errors: list[FieldError], settings: Settings) -> None:
    try:
        parse_locale(settings.locale)
    except ValueError as error:
        errors.append(FieldError("settings.locale", str(error)))
    try:
        formats.check_timezone(settings.timezone)
    except ValueError as error:
        errors.append(FieldError("settings.timezone", str(error)))


def check_settings(settings: Settings) -> None:
    """Refuse email settings that would break a header or a template, naming every bad field."""
    errors: list[FieldError] = []
    if _has_control(settings.store_name) or not settings.store_name.strip():
        errors.append(FieldError("settings.store_name", "must be a non-blank name on one line"))
    _check_address(errors, "settings.from_email", settings.from_email, named=True)
    _check_address(errors, "settings.reply_to", settings.reply_to, named=True)
    for index, address in enumerate(settings.new_order_alert_emails):
        _check_address(errors, f"settings.new_order_alert_emails[{index}]", address, named=False)
    unknown = sorted(set(settings.disabled_emails) - set(EmailKind))
    if unknown:
        errors.append(
            FieldError(
                "settings.disabled_emails",
                f"unknown kinds {', '.join(unknown)}; the kinds are {', '.join(EmailKind)}",
            )
        )
    if not _COLOR.match(settings.brand_color):
        errors.append(FieldError("settings.brand_color", f"must be #rrggbb, got {settings.brand_color!r}"))
    for name in ("store_url", "logo_url", "admin_base_url"):
        value = getattr(settings, name)
        if value is not None and not _HTTP_URL.match(value):
            errors.append(FieldError(f"settings.{name}", f"must be an http(s):// URL, got {value!r}"))
    _check_language(errors, settings)
    if settings.email_locale is not None:
        try:
            parse_locale(settings.email_locale)
        except ValueError as error:
            errors.append(FieldError("settings.email_locale", str(error)))
    if settings.smtp_timeout_seconds <= 0:
        errors.append(FieldError("settings.smtp_timeout_seconds", "must be greater than 0"))
    if settings.smtp_connection_lifetime_seconds < 0:
        errors.append(FieldError("settings.smtp_connection_lifetime_seconds", "must be 0 or more"))
    budget = settings.inline_dispatch_budget_seconds
    if budget is not None and budget < 0:
        errors.append(FieldError("settings.inline_dispatch_budget_seconds", "must be 0 or more, or None"))
    errors.extend(_lock_errors(settings))
    if errors:
        raise ValidationError(errors)


def _lock_errors(settings: Settings) -> list[FieldError]:
    """What is wrong with ``settings.locked_settings`` (names that are not editable settings)."""
    try:
        check_locks(settings.locked_settings)
    except ValidationError as error:
        return error.errors
    return []


def message_id(event_id: str, kind: EmailKind, recipient: str, from_email: str) -> str:
    """The ``Message-ID`` of one email: the same on every retry, so receivers can drop duplicates."""
    digest = hashlib.sha256(f"{event_id}\0{kind}\0{recipient.lower()}".encode()).hexdigest()[:32]
    domain = parseaddr(from_email)[1].rpartition("@")[2] or "kasify.invalid"
    return f"<{digest}@{domain}>"


class _Headers(HeaderRegistry):
    """The standard header registry, but each header class is built once, not per header set."""

    @functools.cache  # noqa: B019 - one registry per process, kept for good
    def __getitem__(self, name: str) -> type:
        return super().__getitem__(name.lower())


#: ``email.policy.default`` with the cached registry (building a message is several times faster).
_POLICY = default_policy.clone(header_factory=_Headers())


@functools.cache
def _environment(templates_dir: str | None, language: str = "en") -> jinja2.Environment:
    """The email templates, their ``_()`` translated into *language* (kasify's shipped catalogs)."""
    loaders: list[jinja2.BaseLoader] = [jinja2.PackageLoader("kasify_orders.notifications", "templates")]
    if templates_dir is not None:
        loaders.insert(0, jinja2.FileSystemLoader(templates_dir))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates are read once, not stat()ed on every email
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
    return env


class Renderer:
    """Turns an :class:`Email` into an ``EmailMessage`` with the shop's settings and branding."""

    def __init__(self, settings: Settings, *, clock: Callable[[], datetime] = utcnow) -> None:
        check_settings(settings)
        self.settings = settings
        #: The time of the ``Orders``, for the ``Date`` header.
        self.clock = clock
        self.environment = _environment(settings.email_templates_dir)

    def context(self, email: Email, locale: Locale) -> dict[str, Any]:
        """What the templates see."""
        settings = self.settings
        order = email.order
        shipment = email.shipment or order.shipment

        def fmt(amount: Decimal) -> str:
            return format_money(amount, order.currency, locale)

        remaining = None
        if email.refund is not None:
            # The balance right after *this* refund, even if another one followed before delivery.
            ids = [refund.id for refund in order.refunds]
            count = ids.index(email.refund.id) + 1 if email.refund.id in ids else len(ids)
            paid_back = (r.amount for r in order.refunds[:count] if r.status is RefundStatus.SETTLED)
            remaining = order.totals.refund_basis - sum(paid_back, Decimal(0))
        previous = email.previous
        return {
            "kind": email.kind,
            "store": {
                "name": settings.store_name,
                "url": settings.store_url,
                "logo_url": settings.logo_url,
                "brand_color": settings.brand_color,
                "reply_to": settings.reply_to,
            },
            "order": order,
            "customer": order.customer,
            "address": order.shipping_address,
            "money": fmt,
            "shipment": shipment,
            "parcel": parcel_context(order, shipment),
            "carrier_name": carriers.display_name(shipment.carrier) if shipment else None,
            "tracking_url": self._tracking_url(shipment),
            "previous": previous,
            "previous_carrier_name": carriers.display_name(previous.carrier) if previous else None,
            "refund": email.refund,
            "remaining": remaining,
            "message": email.message,
            "order_url": (
                f"{settings.admin_base_url.rstrip('/')}/{order.id}" if settings.admin_base_url else None
            ),
        }

    def _tracking_url(self, shipment: Shipment | None) -> str | None:
        if shipment is None:
            return None
        # A custom carrier's template may have been added to the settings after shipping.
        return shipment.tracking_url or carriers.tracking_url(
            shipment.carrier, shipment.tracking_number, self.settings.tracking_urls
        )

    def render(self, email: Email, locale: Locale) -> tuple[str, str, str]:
        """The subject (one line), the plain-text body and the HTML body."""
        context = self.context(email, locale)
        environment = self.environment if locale.language == "en" else self._translated(locale)
        with i18n.activate(str(locale)):
            subject = environment.get_template(f"{email.kind}_subject.txt").render(context)
            text = environment.get_template(f"{email.kind}_message.txt").render(context)
            html = environment.get_template(f"{email.kind}_message.html").render(context)
        return " ".join(subject.split()), text, html

    def _translated(self, locale: Locale) -> jinja2.Environment:
        return _environment(self.settings.email_templates_dir, str(locale))

    def message(self, email: Email, *, locale: Locale, message_id: str) -> EmailMessage:
        """The complete message, headers included (built by :mod:`.mime`, which is cheap)."""
        subject, text, html = self.render(email, locale)
        name, addr = parseaddr(email.to)
        settings = self.settings
        headers = [
            mime.header(_POLICY, "Subject", subject),
            mime.shared_header(_POLICY, "From", settings.from_email),
            *([mime.shared_header(_POLICY, "Reply-To", settings.reply_to)] if settings.reply_to else []),
            mime.address_header(_POLICY, "To", email.to_name or name, addr),
            mime.shared_header(_POLICY, "Date", format_datetime(self.clock())),
            mime.header(_POLICY, "Message-ID", message_id),
            mime.shared_header(_POLICY, "Auto-Submitted", "auto-generated"),
        ]
        return mime.alternative(_POLICY, headers, text, html)


def parcel_context(order: Order, shipment: Shipment | None) -> dict[str, Any] | None:
    """What a shipping email says of its parcel when the order ships in several (None: in one).

    ``lines`` (``(line, quantity)`` of this parcel), ``shipped`` (the units in this and the
    earlier parcels), ``total`` (the order's units) and ``number`` (this parcel's, from 1).
    """
    if shipment is None or not shipment.id:
        return None
    ids = [parcel.id for parcel in order.shipments]
    if shipment.id not in ids:
        return None
    index = ids.index(shipment.id)
    total = sum(line.quantity for line in order.lines)
    shipped = sum(parcel.units for parcel in order.shipments[: index + 1])
    if index == 0 and shipped >= total:
        return None  # everything in one parcel: the email reads as it always did
    by_id = {line.id: line for line in order.lines}
    lines = [(by_id[line_id], quantity) for line_id, quantity in shipment.lines.items() if line_id in by_id]
    return {"lines": lines, "shipped": shipped, "total": total, "number": index + 1}


def default_locale(settings: Settings, email: Email, chosen: str | None) -> Locale:
    """The locale of *email*: a hook's choice, else ``email_locale``, else the store's ``locale``.

    The store's locale writes the pages too, so an email shows an amount as the pages do.
    """
    if chosen is not None:
        return parse_locale(chosen)
    if settings.email_locale is not None:
        return parse_locale(settings.email_locale)
    return parse_locale(settings.locale)
