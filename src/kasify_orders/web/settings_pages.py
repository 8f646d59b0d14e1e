"""Settings → Notifications: the merchant edits the shop's emails and time zone, sees who changed what.

The values are saved in the database (``orders.merchant_settings``) over the host's code
settings; a field the host locks in code (``Settings.locked_settings``) is shown read-only with
why. Every page needs the ``manage_settings`` permission (``authorize("manage_settings", None)``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from kasify_orders.editable_settings import SettingChange, time_zones
from kasify_orders.errors import ValidationError
from kasify_orders.i18n import N_, formats, gettext
from kasify_orders.notifications.kinds import CUSTOMER_KINDS, EmailKind
from kasify_orders.notifications.mail_check import MailCheck, send_test_email
from kasify_orders.notifications.sending import LABELS
from kasify_orders.registry.backoffice import MANAGE_SETTINGS
from kasify_orders.service.merchant_settings import FieldState
from kasify_orders.web.pages import MerchantPages, Page, Redirect
from kasify_orders.web.routes import PageRequest, Route

__all__ = ["ROUTES"]

#: Why a locked field is read-only, as the page says it.
LOCKED_WHY = N_(
    "Locked by the shop's configuration (Settings.locked_settings): a developer changes it in code."
)
#: The audit entries per history page.
HISTORY_PAGE = 50
#: The form field standing for "this form showed the email checkboxes" (an unticked box sends nothing).
_KINDS_SHOWN = "emails_shown"


@attrs.frozen
class EmailToggle:
    """One "send this email" checkbox."""

    kind: str
    label: str
    #: Who receives it: "customer" or "you".
    to: str
    on: bool


@attrs.frozen
class ShownField:
    """One field of the form: its state, the text in its input, its errors."""

    state: FieldState
    text: str
    errors: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The form field's name."""
        return self.state.field.name


def _text(name: str, value: Any) -> str:
    if name == "new_order_alert_emails":
        return "\n".join(value)
    if value is None:
        return ""
    return str(value)


#: The emails a merchant may turn off: all but their own messages, which they send on purpose.
_SWITCHABLE = tuple(kind for kind in EmailKind if kind is not EmailKind.CUSTOMER_MESSAGE)


def _toggles(disabled: frozenset[str]) -> list[EmailToggle]:
    return [
        EmailToggle(
            kind.value, LABELS[kind], "customer" if kind in CUSTOMER_KINDS else "you", kind not in disabled
        )
        for kind in _SWITCHABLE
    ]


def _notifications_page(
    pages: MerchantPages,
    request: PageRequest,
    *,
    errors: Mapping[str, Sequence[str]] | None = None,
    sent: Mapping[str, str] | None = None,
    check: MailCheck | None = None,
    test_to: str = "",
    test_error: str | None = None,
    status: int = 200,
) -> Page:
    states = pages.orders.merchant_settings.fields()
    errors = errors or {}
    shown = []
    disabled: frozenset[str] = frozenset()
    for state in states:
        text = _text(state.field.name, state.value)
        if state.field.name == "timezone" and not state.saved:
            text = formats.active_timezone()  # the pages' clock: the adapter's, where the code says UTC
        if sent is not None and not state.locked and state.field.name in sent:
            text = sent[state.field.name]  # what the merchant typed, kept after an error
        if state.field.name == "disabled_emails":
            disabled = state.value
            if sent is not None and not state.locked:
                disabled = frozenset(_disabled_from(sent))
        shown.append(ShownField(state, text, tuple(errors.get(state.field.name, ()))))
    by_name = {field.name: field for field in shown}
    return Page(
        "settings_notifications.html",
        {
            "fields": by_name,
            "toggles": _toggles(disabled),
            "kinds_shown": _KINDS_SHOWN,
            "locked_why": gettext(LOCKED_WHY),
            "form_error": gettext("Nothing was saved: correct the fields marked below.") if errors else None,
            "check": check,
            "test_to": test_to,
            "test_error": test_error,
            "alert_addresses": pages.orders.merchant_settings.effective().new_order_alert_emails,
            "time_zones": _zone_choices(by_name["timezone"].text),
            "section": "settings",
        },
        status,
    )


def _zone_choices(current: str) -> tuple[str, ...]:
    """The time zones the select offers, sorted; the one in use first if Python does not list it."""
    zones = time_zones()
    return zones if current in zones else (current, *zones)


def _disabled_from(form: Mapping[str, str]) -> list[str]:
    return [kind.value for kind in _SWITCHABLE if not form.get(f"email_{kind.value}")]


def settings_index(pages: MerchantPages, request: PageRequest) -> Page | Redirect:
    """The settings' sections (Notifications, for now)."""
    if not request.authorize(MANAGE_SETTINGS, None):
        return pages.refused()
    return Page("settings_index.html", {"section": "settings"})


def settings_notifications(pages: MerchantPages, request: PageRequest) -> Page | Redirect:
    """GET: the form with the values in use; POST: save it (every bad field shown beside it)."""
    if not request.authorize(MANAGE_SETTINGS, None):
        return pages.refused()
    if not request.form:
        return _notifications_page(pages, request)
    merchant = pages.orders.merchant_settings
    form = request.form
    values: dict[str, Any] = {}
    for name in ("store_name", "new_order_alert_emails", "from_email", "reply_to"):
        if name in form and name not in merchant.locked:
            values[name] = form[name]
    if _KINDS_SHOWN in form and "disabled_emails" not in merchant.locked:
        values["disabled_emails"] = _disabled_from(form)
    zone = form.get("timezone")
    if zone is not None and "timezone" not in merchant.locked and zone != formats.active_timezone():
        values["timezone"] = zone  # the zone the pages show now, left as it was, is no change
    try:
        changed = merchant.save(values, actor=request.actor)
    except ValidationError as error:
        errors: dict[str, list[str]] = {}
        for problem in error.errors:
            errors.setdefault(problem.path, []).append(problem.translated())
        return _notifications_page(pages, request, errors=errors, sent=form, status=400)
    if not changed:
        notice = gettext("Nothing changed.")
    else:
        labels = {state.field.name: gettext(state.field.label) for state in merchant.fields()}
        saved = ", ".join(labels[change.field] for change in changed)
        notice = gettext("Saved: %(fields)s.") % {"fields": saved}
    return Redirect(pages.urls.url("settings_notifications"), notice)


def settings_test_email(pages: MerchantPages, request: PageRequest) -> Page | Redirect:
    """Send a test email to the address given (or the alert addresses) and show what became of it."""
    if not request.authorize(MANAGE_SETTINGS, None):
        return pages.refused()
    to = request.form.get("to", "").strip()
    try:
        check = send_test_email(pages.orders, to or None)
    except ValidationError as error:
        message = "; ".join(problem.translated() for problem in error.errors)
        return _notifications_page(pages, request, test_to=to, test_error=message, status=400)
    return _notifications_page(pages, request, check=check, test_to=to, status=200 if check.ok else 502)


@attrs.frozen
class HistoryRow:
    """One audit entry as the history page shows it."""

    change: SettingChange
    label: str
    old: str
    new: str


def _shown_value(name: str, value: Any) -> str:
    if value is None or value == []:
        return "(empty)" if name != "disabled_emails" else "(every email on)"
    if name == "disabled_emails":
        return "off: " + ", ".join(
            LABELS[EmailKind(kind)] if kind in set(EmailKind) else kind for kind in value
        )
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def settings_history(pages: MerchantPages, request: PageRequest) -> Page | Redirect:
    """Who changed which setting when, old -> new, newest first (``?before=<id>`` for older)."""
    if not request.authorize(MANAGE_SETTINGS, None):
        return pages.refused()
    before_text = request.args.get("before", "")
    before = int(before_text) if before_text.isdigit() else None
    entries = pages.orders.merchant_settings.history(limit=HISTORY_PAGE + 1, before=before)
    more = len(entries) > HISTORY_PAGE
    entries = entries[:HISTORY_PAGE]
    labels = {state.field.name: state.field.label for state in pages.orders.merchant_settings.fields()}
    rows = [
        HistoryRow(
            change,
            labels.get(change.field, change.field),
            _shown_value(change.field, change.old),
            _shown_value(change.field, change.new),
        )
        for _id, change in entries
    ]
    older = pages.urls.url("settings_history", query={"before": str(entries[-1][0])}) if more else None
    return Page("settings_history.html", {"rows": rows, "older_url": older, "section": "settings"})


ROUTES: tuple[Route, ...] = (
    Route("settings", "settings", settings_index),
    Route("settings_notifications", "settings/notifications", settings_notifications, ("GET", "POST")),
    Route("settings_test_email", "settings/notifications/test-email", settings_test_email, ("POST",)),
    Route("settings_history", "settings/notifications/history", settings_history),
)
