"""The coupon form of the back office: what it shows, and the :class:`~kasify_orders.Coupon` it sent.

One form creates and edits every kind of coupon the merchant's help page names: a *type*
select with the three kinds of discount (percentage, fixed amount, free shipping), and a
*minimum order value* any of them may have — "minimum order value" coupons are the ones with
that field filled in. :func:`read_coupon_form` turns the posted text into a coupon and checks it
with the domain's own :func:`~kasify_orders.validation.validate_coupon`, so the pages, the API
and the Python API refuse the same coupons; every error is keyed by the form field it is about.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal

import attrs

from kasify_orders import money
from kasify_orders.errors import FieldError, ValidationError, Word
from kasify_orders.i18n import N_
from kasify_orders.model import Coupon, CouponKind
from kasify_orders.validation import validate_coupon
from kasify_orders.web.formatting import sentence

__all__ = [
    "FIELDS",
    "KIND_LABELS",
    "RULES_SEEN",
    "CouponFormState",
    "blank_form",
    "coupon_state",
    "errors_by_field",
    "form_values",
    "read_coupon_form",
]

#: The form's fields, in the order the page shows them.
FIELDS: tuple[str, ...] = (
    "code",
    "kind",
    "value",
    "minimum_order",
    "currency",
    "usage_limit",
    "once_per_customer",
    "starts_at",
    "ends_at",
    "active",
)

#: The type select's options, as the merchant reads them.
KIND_LABELS: Mapping[CouponKind, str] = {
    CouponKind.PERCENTAGE: N_("Percentage off"),
    CouponKind.FIXED: N_("Fixed amount off"),
    CouponKind.FREE_SHIPPING: N_("Free shipping"),
}

#: The edit form's hidden field: :func:`rules_seen` of the coupon as the form showed it.
RULES_SEEN = "rules_seen"
_TICKED = {"on", "true", "1", "yes"}
#: What the domain's messages call a field, in the words of the form.
_FIELD_WORDS = {"starts_at": N_("the start"), "ends_at": N_("the end")}


def blank_form() -> dict[str, str]:
    """A new coupon's form before the merchant types: a percentage coupon, active."""
    values = dict.fromkeys(FIELDS, "")
    values.update(kind=CouponKind.PERCENTAGE.value, active="on")
    return values


def _plain(number: Decimal | None) -> str:
    if number is None:
        return ""
    return format(number, "f")


def _moment(moment: datetime | None) -> str:
    """A time as ``<input type="datetime-local">`` holds it, in UTC: ``2026-12-01T09:00``."""
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def form_values(coupon: Coupon) -> dict[str, str]:
    """What the edit form shows for *coupon*."""
    return {
        "code": coupon.code,
        "kind": coupon.kind.value,
        "value": _plain(coupon.value),
        "minimum_order": _plain(coupon.minimum_order),
        "currency": coupon.currency or "",
        "usage_limit": "" if coupon.usage_limit is None else str(coupon.usage_limit),
        "once_per_customer": "on" if coupon.once_per_customer else "",
        "starts_at": _moment(coupon.starts_at),
        "ends_at": _moment(coupon.ends_at),
        "active": "on" if coupon.active else "",
    }


def rules_seen(coupon: Coupon) -> str:
    """A short fingerprint of *coupon*'s rules (its use count aside), to tell an edit made meanwhile."""
    values = form_values(coupon)
    text = "\x1f".join(f"{name}={values[name]}" for name in FIELDS)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class _Reader:
    """Reads the form's text fields one by one, collecting an error per bad field."""

    def __init__(self, form: Mapping[str, str]) -> None:
        self.form = form
        self.errors: list[FieldError] = []

    def text(self, name: str) -> str:
        return str(self.form.get(name, "")).strip()

    def fail(self, name: str, template: str, **values: object) -> None:
        self.errors.append(FieldError.of(name, template, **values))

    def ticked(self, name: str) -> bool:
        return self.text(name).lower() in _TICKED

    def amount(self, name: str, what: str) -> Decimal | None:
        text = self.text(name)
        if not text:
            return None
        try:
            return money.parse_amount(text)
        except ValueError:
            self.fail(
                name,
                "Enter %(what)s in digits, such as 12.50, not “%(given)s”.",
                what=Word(what),
                given=text[:40],
            )
            return None

    def whole(self, name: str) -> int | None:
        text = self.text(name)
        if not text:
            return None
        if not (text.isascii() and text.isdigit()) or len(text) > 9:
            self.fail(name, "Enter a whole number of orders, such as 100, not “%(given)s”.", given=text[:40])
            return None
        return int(text)

    def moment(self, name: str) -> datetime | None:
        """A date and time in UTC (``2026-12-01T09:00``), a date alone meaning its midnight."""
        text = self.text(name)
        if not text:
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail(
                name, "Enter a date and time such as 2026-12-01 09:00, not “%(given)s”.", given=text[:40]
            )
            return None
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def read_coupon_form(form: Mapping[str, str]) -> Coupon:
    """The coupon a submitted form describes, checked as the domain checks every coupon.

    :raises ValidationError: naming each bad form field (``code``, ``value``, ``ends_at``…)
        with a sentence that says what is allowed.
    """
    read = _Reader(form)
    code = read.text("code").upper()
    if not code:
        read.fail("code", "Enter the code customers type, such as SAVE20.")
    kind_text = read.text("kind")
    kind = CouponKind(kind_text) if kind_text in set(CouponKind) else None
    if kind is None:
        read.fail("kind", "Choose the type: %(kinds)s.", kinds=", ".join(KIND_LABELS.values()).lower())
    value = read.amount("value", N_("the discount"))
    if kind is CouponKind.PERCENTAGE and value is None and not read.text("value"):
        read.fail("value", "Enter the percent off, more than 0 and at most 100 (such as 20).")
    elif kind is CouponKind.FIXED and value is None and not read.text("value"):
        read.fail("value", "Enter the amount off, such as 10.00.")
    elif kind is CouponKind.FREE_SHIPPING and read.text("value"):
        read.fail("value", "A free-shipping coupon takes no discount value: leave this empty.")
        value = None
    coupon = Coupon(
        code or "-",
        kind or CouponKind.FREE_SHIPPING,
        value=value if kind is not CouponKind.FREE_SHIPPING else None,
        minimum_order=read.amount("minimum_order", N_("the minimum order value")),
        currency=read.text("currency").upper() or None,
        usage_limit=read.whole("usage_limit"),
        once_per_customer=read.ticked("once_per_customer"),
        starts_at=read.moment("starts_at"),
        ends_at=read.moment("ends_at"),
        active=read.ticked("active"),
    )
    bad = {error.path for error in read.errors}
    if kind is None:
        bad.add("value")  # what the value may be depends on the type
    try:
        checked = validate_coupon(coupon)
    except ValidationError as error:
        read.errors.extend(_worded(found) for found in error.errors if found.path not in bad)
        checked = coupon
    if read.errors:
        raise ValidationError(sorted(read.errors, key=lambda found: _order(found.path)))
    return checked


def _worded(error: FieldError) -> FieldError:
    """A domain message as the form says it: a sentence, in the form's words for other fields.

    The template is kept (a field's name among its values becomes the form's word for it), so
    the page can still say the message in the merchant's language.
    """
    if error.template is None:
        message = error.message
        for name, words in _FIELD_WORDS.items():
            message = message.replace(name, words)
        return FieldError(error.path, sentence(message))
    values = {key: _form_word(value) for key, value in error.values.items()}
    worded = FieldError.of(error.path, error.template, **values)
    return attrs.evolve(worded, message=sentence(worded.message))


def _form_word(value: object) -> object:
    """*value*, or the form's (translatable) word for it when it names a field."""
    return Word(_FIELD_WORDS[value]) if isinstance(value, str) and value in _FIELD_WORDS else value


def _order(path: str) -> int:
    return FIELDS.index(path) if path in FIELDS else len(FIELDS)


def errors_by_field(errors: Sequence[FieldError]) -> dict[str, list[str]]:
    """The errors beside their fields (an error of no field of the form goes under ``""``)."""
    found: dict[str, list[str]] = {}
    for error in errors:
        path = error.path if error.path in FIELDS else ""
        found.setdefault(path, []).append(sentence(error.translated()))
    return found


@attrs.frozen
class CouponFormState:
    """The coupon form as a template shows it: what each field holds and what is wrong with it."""

    values: Mapping[str, str]
    errors: Mapping[str, list[str]] = attrs.field(factory=dict)


def coupon_state(values: Mapping[str, str], errors: Sequence[FieldError] = ()) -> CouponFormState:
    """The form showing *values* (what the merchant typed is kept) and *errors* beside the fields."""
    shown = {name: str(values.get(name, "")) for name in FIELDS}
    return CouponFormState(shown, errors_by_field(errors))
