"""Input checks that report every bad field at once, with paths like ``lines[0].quantity``.

:func:`validate_new_order` both checks and normalises (strips whitespace, upper-cases
currency and country codes, normalises the email address), so the rest of the code only
ever sees clean input.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from kasify_orders import money
from kasify_orders.errors import FieldError, ValidationError
from kasify_orders.model import Address, Coupon, CouponKind, Customer, NewLine, NewOrder

__all__ = [
    "Checker",
    "is_country",
    "shown",
    "unknown_name",
    "validate_coupon",
    "validate_new_order",
    "whole_number",
]

MAX_NAME = 200
#: Whole numbers kasify stores (stock, usage limits) fit a 32-bit column on every database.
MAX_INTEGER = 2**31 - 1
#: The most units of one line.
MAX_QUANTITY = 1_000_000
MAX_NOTE = 5000
#: The longest reason an action records (a hold's).
MAX_REASON = 500
_MULTILINE_OK = {"\n", "\t"}


@functools.cache
def _countries() -> frozenset[str]:
    from babel import Locale  # noqa: PLC0415 - CLDR data loads on the first country checked, not on import

    # CLDR's territory list holds ISO 3166-1 alpha-2 codes plus a few groupings
    # ("EU", "UN", "QO", ...) that are not countries a parcel can go to.
    not_countries = {"EU", "EZ", "QO", "UN", "ZZ"}
    codes = (str(code) for code in Locale("en").territories)
    return frozenset(
        code for code in codes if len(code) == 2 and code.isalpha() and code not in not_countries
    )


def unknown_name(kind: str, name: str, names: Sequence[str]) -> str:
    """The message for a misspelt *name* of a *kind*: the nearest of *names*, or all of them."""
    nearest = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if nearest:
        return f"is not a known {kind}: did you mean {nearest[0]!r}?"
    return f"is not a known {kind}; the {kind}s are: {', '.join(names)}"


def shown(value: object, limit: int = 40) -> str:
    """*value* as a message quotes what was given: ``repr``, cut short when long."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def whole_number(value: object) -> int | None:
    """*value* as a whole number (an int, or digits from a form); None for anything else (bools too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def is_country(code: str) -> bool:
    """Tell whether *code* is an ISO 3166-1 alpha-2 country code (upper case)."""
    return code in _countries()


class Checker:
    """Collects :class:`FieldError` s; :meth:`done` raises them all together."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, path: str, template: str, **values: object) -> None:
        """Record one bad field: :meth:`FieldError.of` (``fail`` is a gettext keyword too)."""
        self.errors.append(FieldError.of(path, template, **values))

    def done(self) -> None:
        """Raise :class:`ValidationError` if anything was recorded."""
        if self.errors:
            raise ValidationError(self.errors)

    def text(
        self,
        path: str,
        value: object,
        *,
        required: bool = True,
        max_length: int = MAX_NAME,
        multiline: bool = False,
    ) -> str:
        """Return *value* stripped; record an error if blank, too long or holding control characters."""
        if not isinstance(value, str):
            self.fail(path, "must be a string, got %(type)s", type=type(value).__name__)
            return ""
        value = value.strip()
        if required and not value:
            self.fail(path, "must not be blank")
        elif len(value) > max_length:
            self.fail(
                path, "must be at most %(max)s characters, got %(length)s", max=max_length, length=len(value)
            )
        elif any(
            unicodedata.category(char) == "Cc" and not (multiline and char in _MULTILINE_OK)
            for char in value.replace("\r\n", "\n")
        ):
            if multiline:
                template = (
                    "must not contain control characters other than line breaks and tabs, got %(given)s"
                )
            else:
                template = (
                    "must not contain control characters (not even a line break or a tab), got %(given)s"
                )
            self.fail(path, template, given=shown(value))
        return value

    def currency(self, path: str, value: object) -> str:
        """Return the upper-cased ISO 4217 code; record an error for anything else."""
        code = value.strip().upper() if isinstance(value, str) else ""
        if code not in money.CURRENCY_MINOR_UNITS:
            self.fail(
                path,
                "must be an ISO 4217 currency code such as USD, EUR or JPY, got %(given)s",
                given=repr(value),
            )
        return code

    def amount(self, path: str, value: object, currency: str | None, *, positive: bool = False) -> Decimal:
        """Return *value* as a Decimal; it must be >= 0 (or > 0) and exact in *currency*."""
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            self.fail(
                path,
                "must be an amount (a Decimal or an int), got %(type)s %(given)s",
                type=type(value).__name__,
                given=shown(value),
            )
            return Decimal(0)
        amount = Decimal(value)
        if not amount.is_finite():
            self.fail(path, "must be a finite amount, got %(amount)s", amount=amount)
        elif amount < 0:
            self.fail(path, "must not be negative, got %(amount)s", amount=amount)
        elif positive and amount == 0:
            self.fail(path, "must be greater than 0, got %(amount)s", amount=amount)
        elif amount >= money.MAX_AMOUNT:
            self.fail(
                path,
                "is too large: an amount must be less than %(limit)s, got %(amount)s",
                limit=format(money.MAX_AMOUNT, ","),
                amount=amount,
            )
        elif currency in money.CURRENCY_MINOR_UNITS and not money.is_exact(amount, currency):
            self.fail(
                path,
                "%(amount)s has more than %(places)s decimal places, the minor unit of %(currency)s",
                amount=amount,
                places=money.minor_unit(currency),
                currency=currency,
            )
        return amount

    def moment(self, path: str, value: object) -> datetime | None:
        """Return *value* if it is None or a timezone-aware datetime."""
        if value is None:
            return None
        if not isinstance(value, datetime) or value.utcoffset() is None:
            self.fail(
                path,
                "must be a timezone-aware datetime (for example datetime.now(UTC)), got %(given)s",
                given=shown(value),
            )
            return None
        return value

    def integer(self, path: str, value: object, *, minimum: int, maximum: int = MAX_INTEGER) -> int:
        """Return *value* if it is an int from *minimum* to *maximum* (bools are refused)."""
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, "must be a whole number, got %(type)s", type=type(value).__name__)
            return minimum
        if value < minimum:
            self.fail(path, "must be at least %(minimum)s, got %(given)s", minimum=minimum, given=value)
            return minimum
        if value > maximum:
            self.fail(
                path,
                "must be at most %(maximum)s, got %(given)s",
                maximum=format(maximum, ","),
                given=shown(value),
            )
            return minimum
        return value


def _email(checker: Checker, path: str, value: object) -> str:
    text = checker.text(path, value, max_length=254)
    if not text:
        return text
    import email_validator  # noqa: PLC0415 - loaded with the first address checked, not on import

    try:
        # Lower-cased whole: mail servers treat local parts case-insensitively in practice,
        # and one spelling per customer keeps "once per customer" and search exact.
        return email_validator.validate_email(text, check_deliverability=False).normalized.lower()
    except email_validator.EmailNotValidError as error:
        checker.fail(path, "is not a valid email address: %(reason)s", reason=str(error))
        return text


def _customer(checker: Checker, path: str, customer: Customer) -> Customer:
    return Customer(
        name=checker.text(f"{path}.name", customer.name),
        email=_email(checker, f"{path}.email", customer.email),
    )


def _address(checker: Checker, path: str, address: Address) -> Address:
    country = checker.text(f"{path}.country", address.country).upper()
    if country and not is_country(country):
        checker.fail(
            f"{path}.country",
            "must be an ISO 3166-1 alpha-2 code such as GB or US, got %(given)s",
            given=repr(address.country),
        )
    return Address(
        line1=checker.text(f"{path}.line1", address.line1),
        line2=checker.text(f"{path}.line2", address.line2, required=False),
        city=checker.text(f"{path}.city", address.city),
        region=checker.text(f"{path}.region", address.region, required=False),
        postal_code=checker.text(f"{path}.postal_code", address.postal_code, max_length=20),
        country=country,
    )


def _line(checker: Checker, path: str, line: NewLine, currency: str, *, tax_included: bool) -> NewLine:
    checked = NewLine(
        sku=checker.text(f"{path}.sku", line.sku, max_length=100),
        name=checker.text(f"{path}.name", line.name),
        variant=checker.text(f"{path}.variant", line.variant, required=False),
        quantity=checker.integer(f"{path}.quantity", line.quantity, minimum=1, maximum=MAX_QUANTITY),
        unit_price=checker.amount(f"{path}.unit_price", line.unit_price, currency),
        tax=checker.amount(f"{path}.tax", line.tax, currency),
    )
    if currency in money.CURRENCY_MINOR_UNITS and checked.tax.is_finite():
        # In the minor unit, as a stored line reads it back ("0.00", not the default's "0").
        checked = attrs.evolve(checked, tax=money.quantize(checked.tax, currency))
    price = checked.unit_price * checked.quantity
    if tax_included and checked.tax > price:
        checker.fail(
            f"{path}.tax",
            "must be at most the line's price (%(price)s) when prices include tax, got %(tax)s",
            price=price,
            tax=checked.tax,
        )
    return checked


def _typed(checker: Checker, path: str, value: object, kind: type) -> bool:
    if isinstance(value, kind):
        return True
    checker.fail(path, "must be %(kind)s, got %(type)s", kind=kind.__name__, type=type(value).__name__)
    return False


def validate_new_order(new_order: NewOrder) -> NewOrder:
    """Check every field of *new_order*; return it normalised or raise :class:`ValidationError`."""
    checker = Checker()
    currency = checker.currency("currency", new_order.currency)
    customer = new_order.customer
    if _typed(checker, "customer", customer, Customer):
        customer = _customer(checker, "customer", customer)
    address = new_order.shipping_address
    if _typed(checker, "shipping_address", address, Address):
        address = _address(checker, "shipping_address", address)
    included = new_order.prices_include_tax
    if not _typed(checker, "prices_include_tax", included, bool):
        included = False
    lines = []
    if not new_order.lines:
        checker.fail("lines", "must hold at least one line")
    for index, line in enumerate(new_order.lines):
        if _typed(checker, f"lines[{index}]", line, NewLine):
            lines.append(_line(checker, f"lines[{index}]", line, currency, tax_included=included))
    shipping = checker.amount("shipping_cost", new_order.shipping_cost, currency)
    shipping_tax = checker.amount("shipping_tax", new_order.shipping_tax, currency)
    if included and shipping_tax > shipping:
        checker.fail(
            "shipping_tax",
            "must be at most the shipping cost (%(shipping)s) when prices include tax, got %(tax)s",
            shipping=shipping,
            tax=shipping_tax,
        )
    before_tax = sum((line.unit_price * line.quantity for line in lines), shipping)
    total = before_tax
    if not included:
        total += sum((line.tax for line in lines), shipping_tax)
    if not checker.errors and total >= money.MAX_AMOUNT:
        checker.fail(
            "lines",
            "the order's total is too large: it must be less than %(limit)s, got %(total)s",
            limit=format(money.MAX_AMOUNT, ","),
            total=total,
        )
    coupon_code = None
    if new_order.coupon_code is not None:
        coupon_code = checker.text("coupon_code", new_order.coupon_code, max_length=64).upper() or None
    note = checker.text(
        "customer_note",
        new_order.customer_note,
        required=False,
        max_length=MAX_NOTE,
        multiline=True,
    )
    discount = None
    if new_order.discount is not None:
        discount = checker.amount("discount", new_order.discount, currency)
        if not checker.errors and discount > before_tax:
            checker.fail(
                "discount",
                "must be at most the subtotal plus shipping (%(total)s), got %(discount)s",
                total=before_tax,
                discount=discount,
            )
    checker.done()
    return NewOrder(
        customer=customer,
        shipping_address=address,
        lines=tuple(lines),
        currency=currency,
        shipping_cost=shipping,
        coupon_code=coupon_code,
        customer_note=note,
        discount=discount,
        shipping_tax=shipping_tax,
        prices_include_tax=included,
    )


_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,63}$")


def validate_coupon(coupon: Coupon) -> Coupon:
    """Check a coupon before it is stored; raise :class:`ValidationError` naming every problem."""
    checker = Checker()
    if not _CODE.match(coupon.code):
        checker.fail(
            "code",
            "must be 1-64 letters, digits, '-' or '_', starting with a letter or digit, got %(given)s",
            given=shown(coupon.code),
        )
    currency = None
    if coupon.currency is not None:
        currency = checker.currency("currency", coupon.currency)
    if coupon.kind is CouponKind.PERCENTAGE:
        if coupon.value is None or not coupon.value.is_finite() or not (0 < coupon.value <= 100):
            checker.fail(
                "value", "a percentage must be more than 0 and at most 100, got %(given)s", given=coupon.value
            )
    elif coupon.kind is CouponKind.FIXED:
        if coupon.value is None:
            checker.fail("value", "a fixed-amount coupon needs an amount")
        else:
            checker.amount("value", coupon.value, currency, positive=True)
    elif coupon.value is not None:
        checker.fail("value", "a free-shipping coupon takes no value")
    if coupon.minimum_order is not None:
        checker.amount("minimum_order", coupon.minimum_order, currency)
    if coupon.usage_limit is not None:
        checker.integer("usage_limit", coupon.usage_limit, minimum=1)
    if coupon.starts_at and coupon.ends_at and coupon.ends_at <= coupon.starts_at:
        checker.fail("ends_at", "must be later than %(start)s", start="starts_at")
    checker.done()
    return attrs.evolve(coupon, currency=currency)
