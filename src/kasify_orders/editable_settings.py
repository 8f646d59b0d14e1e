"""The settings a merchant edits on the Settings page, layered over the host's code settings.

Pure domain: no database, no framework. The host's code gives a :class:`~kasify_orders.Settings`
(the defaults); the merchant's saved values (kept in the database, see
``service/merchant_settings.py``) win over it, field by field, except for the fields the host
locks in code (``Settings.locked_settings``), which always keep the code's value::

    effective = layer(
        code_settings,
        saved={"new_order_alert_emails": ("me@shop.example",)},
        locked=code_settings.locked_settings,
    )

:func:`validate_values` checks what the merchant typed and names every bad field;
:func:`changes` says which fields a save changes (old -> new), for the audit trail.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime
from email.utils import formataddr, parseaddr
from typing import Any

import attrs

from kasify_orders import i18n
from kasify_orders.errors import FieldError, ValidationError
from kasify_orders.settings import Settings

__all__ = [
    "EDITABLE",
    "MAX_ALERT_ADDRESSES",
    "SettingChange",
    "SettingField",
    "changes",
    "check_locks",
    "decode",
    "encode",
    "layer",
    "split_addresses",
    "time_zones",
    "validate_values",
]

#: The most new-order alert addresses a shop may list.
MAX_ALERT_ADDRESSES = 20
_MAX_STORE_NAME = 200
_MAX_ADDRESS = 254


@attrs.frozen
class SettingField:
    """One setting the merchant may edit: the ``Settings`` field it stands for, and its words."""

    #: The :class:`~kasify_orders.Settings` field (and the form field's name).
    name: str
    label: str
    #: One sentence under the field: what it does.
    help: str


#: What the Settings → Notifications page edits, in the order it shows them.
EDITABLE: tuple[SettingField, ...] = (
    SettingField("store_name", "Store name", "Shown in every email and at the top of these pages."),
    SettingField(
        "new_order_alert_emails",
        "New-order alert addresses",
        "Who is emailed when an order is placed: one address per line (or separated by commas).",
    ),
    SettingField(
        "disabled_emails",
        "Emails sent",
        "Untick an email to stop sending it; the others go out as orders move.",
    ),
    SettingField(
        "from_email",
        "From address",
        'The sender of every email, e.g. orders@shop.example or "My shop <orders@shop.example>".',
    ),
    SettingField(
        "reply_to",
        "Reply-to address",
        "Where customers' replies go; leave empty to have them go to the from address.",
    ),
    SettingField(
        "timezone",
        "Time zone",
        "The clock every date on these pages is shown on; the times themselves are kept in UTC.",
    ),
)
_NAMES = tuple(field.name for field in EDITABLE)


@attrs.frozen
class SettingChange:
    """One field changed by one save: who, when, the value before and after (audit trail)."""

    at: datetime
    #: Who saved (``"staff:7"``), or None when unknown.
    actor: str | None
    field: str
    #: The effective values before and after, as stored (JSON-ready: str, list or None).
    old: Any
    new: Any


def check_locks(locked: Iterable[str]) -> frozenset[str]:
    """*locked* as a set of editable field names; raises naming ``settings.locked_settings``."""
    names = frozenset(locked)
    unknown = sorted(names - set(_NAMES))
    if unknown:
        raise ValidationError.single(
            "settings.locked_settings",
            "cannot lock %(unknown)s: the editable settings are %(names)s",
            unknown=", ".join(unknown),
            names=", ".join(_NAMES),
        )
    return names


def layer(code: Settings, saved: Mapping[str, Any], locked: Collection[str]) -> Settings:
    """The effective settings: *code*'s, with each *saved* value over it unless its field is *locked*.

    *saved* maps field names to values as :func:`decode` returns them; names that are not
    editable settings (a value saved by a newer kasify) are ignored.
    """
    over = {name: value for name, value in saved.items() if name in _NAMES and name not in locked}
    return attrs.evolve(code, **over) if over else code


def encode(name: str, value: Any) -> Any:
    """A setting's value as stored (JSON): lists for the address and kind collections, sorted kinds."""
    if name == "disabled_emails":
        return sorted(value)
    if name == "new_order_alert_emails":
        return list(value)
    return value


def decode(name: str, stored: Any) -> Any:
    """A stored value back as the ``Settings`` field holds it."""
    if name == "disabled_emails":
        return frozenset(stored)
    if name == "new_order_alert_emails":
        return tuple(stored)
    return stored


def split_addresses(text: str) -> list[str]:
    """Addresses typed one per line or separated by commas or semicolons, blanks dropped."""
    for separator in (",", ";", "\r"):
        text = text.replace(separator, "\n")
    return [part.strip() for part in text.split("\n") if part.strip()]


@functools.cache
def time_zones() -> tuple[str, ...]:
    """Every IANA time zone name this Python knows (``zoneinfo.available_timezones()``), sorted."""
    return tuple(sorted(_known_zones()))


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _has_control(value: str) -> bool:
    return any(ord(char) < 32 or ord(char) == 127 for char in value)


def _address(errors: list[FieldError], path: str, value: str, *, named: bool) -> str:
    """*value* checked as an address (``"Name <addr>"`` when *named*); normalised, or *value* on error."""
    import email_validator  # noqa: PLC0415 - loaded with the first address checked, not on import

    name, addr = parseaddr(value)
    if _has_control(value) or len(value) > _MAX_ADDRESS or not addr or (name and not named):
        template = (
            i18n.N_(
                "must be an email address such as orders@shop.example"
                ' or "My shop <orders@shop.example>", got %(given)s'
            )
            if named
            else i18n.N_("must be an email address such as orders@shop.example, got %(given)s")
        )
        errors.append(FieldError.of(path, template, given=repr(value)))
        return value
    try:
        normal = email_validator.validate_email(addr, check_deliverability=False).normalized
    except email_validator.EmailNotValidError as error:
        errors.append(
            FieldError.of(
                path,
                "%(given)s is not a valid email address: %(reason)s",
                given=repr(value),
                reason=str(error),
            )
        )
        return value
    return formataddr((name, normal)) if name else normal


def validate_values(values: Mapping[str, Any], kinds: Collection[str]) -> dict[str, Any]:
    """Check the merchant's values (each field optional) and normalise them, naming every bad field.

    ``store_name``, ``from_email`` and ``reply_to`` are strings (``reply_to`` empty: None);
    ``new_order_alert_emails`` a string of addresses (see :func:`split_addresses`) or a list
    of them; ``disabled_emails`` the email kinds not to send, each one of *kinds*.

    :raises ValidationError: every bad field, its path the field's name (``from_email``).
    """
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    for name, given in values.items():
        check = _CHECKS.get(name)
        if check is None:
            errors.append(
                FieldError.of(name, "is not an editable setting; they are %(names)s", names=", ".join(_NAMES))
            )
            continue
        before = len(errors)
        value = check(errors, given, kinds)
        if len(errors) == before:
            clean[name] = value
    if errors:
        raise ValidationError(errors)
    return clean


def _store_name(errors: list[FieldError], given: Any, kinds: Collection[str]) -> Any:
    if not isinstance(given, str) or not given.strip() or _has_control(given):
        errors.append(FieldError.of("store_name", "must be a name on one line, not empty"))
    elif len(given.strip()) > _MAX_STORE_NAME:
        errors.append(FieldError.of("store_name", "must be at most %(max)s characters", max=_MAX_STORE_NAME))
    return given.strip() if isinstance(given, str) else given


def _from_email(errors: list[FieldError], given: Any, kinds: Collection[str]) -> Any:
    if not isinstance(given, str) or not given.strip():
        errors.append(FieldError.of("from_email", "is required: the address every email is sent from"))
        return given
    return _address(errors, "from_email", given.strip(), named=True)


def _reply_to(errors: list[FieldError], given: Any, kinds: Collection[str]) -> Any:
    if given is None or (isinstance(given, str) and not given.strip()):
        return None
    if not isinstance(given, str):
        errors.append(FieldError.of("reply_to", "must be an email address or empty"))
        return given
    return _address(errors, "reply_to", given.strip(), named=True)


def _disabled_emails(errors: list[FieldError], given: Any, kinds: Collection[str]) -> Any:
    if isinstance(given, str) or not isinstance(given, Iterable):
        errors.append(FieldError.of("disabled_emails", "must be a list of email kinds"))
        return given
    chosen = [str(kind) for kind in given]
    wrong = sorted(kind for kind in chosen if kind not in kinds)
    if wrong:
        errors.append(
            FieldError.of(
                "disabled_emails",
                "has no email %(wrong)s; the emails are %(kinds)s",
                wrong=", ".join(map(repr, wrong)),
                kinds=", ".join(kinds),
            )
        )
    return frozenset(chosen)


def _alert_addresses(errors: list[FieldError], given: Any, kinds: Collection[str]) -> tuple[str, ...]:
    path = "new_order_alert_emails"
    if isinstance(given, str):
        parts = split_addresses(given)
    elif isinstance(given, Iterable) and all(isinstance(part, str) for part in given):
        parts = [part.strip() for part in given if part.strip()]
    else:
        errors.append(FieldError.of(path, "must be a list of email addresses"))
        return ()
    if len(parts) > MAX_ALERT_ADDRESSES:
        errors.append(
            FieldError.of(
                path,
                "may list at most %(max)s addresses, got %(count)s",
                max=MAX_ALERT_ADDRESSES,
                count=len(parts),
            )
        )
        return ()
    before = len(errors)
    addresses = [_address(errors, path, part, named=False) for part in parts]
    if len(errors) > before:
        return ()
    unique: list[str] = []
    for address in addresses:
        if address.lower() not in {known.lower() for known in unique}:
            unique.append(address)
    return tuple(unique)


def _timezone(errors: list[FieldError], given: Any, kinds: Collection[str]) -> Any:
    name = given.strip() if isinstance(given, str) else given
    if not isinstance(name, str) or name not in _known_zones():
        errors.append(
            FieldError.of(
                "timezone",
                "unknown time zone %(name)s: use a name such as Europe/Berlin or America/New_York",
                name=repr(given),
            )
        )
    return name


#: Each field's check: ``(errors, given, kinds) -> clean value`` (appending to *errors* when bad).
_CHECKS: Mapping[str, Callable[[list[FieldError], Any, Collection[str]], Any]] = {
    "store_name": _store_name,
    "new_order_alert_emails": _alert_addresses,
    "disabled_emails": _disabled_emails,
    "from_email": _from_email,
    "reply_to": _reply_to,
    "timezone": _timezone,
}


def changes(before: Settings, after: Settings) -> list[tuple[str, Any, Any]]:
    """``(field, old, new)`` of each editable field that differs, values as stored (:func:`encode`)."""
    found = []
    for name in _NAMES:
        old, new = encode(name, getattr(before, name)), encode(name, getattr(after, name))
        if old != new:
            found.append((name, old, new))
    return found
