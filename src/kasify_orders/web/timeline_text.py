"""What a timeline entry says on the order page, in the merchant's language.

The stored :attr:`TimelineEvent.message <kasify_orders.TimelineEvent.message>` is the record:
English, written once when the action happened, and what the API, the CLI and the Saleor
write-back read. The page instead writes each entry kasify itself makes from its kind and its
data, through gettext and the one money formatter, so a German merchant reads German. An
entry this module cannot write again (a plugin's own kind, a note, an older entry without the
data) is shown as stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from kasify_orders import carriers
from kasify_orders.i18n import N_, active_locale, gettext, ngettext
from kasify_orders.model import Order, Shipment, TimelineEvent, describe_lines
from kasify_orders.notifications.kinds import EmailKind
from kasify_orders.notifications.sending import LABELS
from kasify_orders.timeline import TimelineKind
from kasify_orders.web.formatting import money_label

__all__ = ["entry_text"]


class _Missing(Exception):
    """The entry lacks what its sentence needs: it is shown as stored."""


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None or isinstance(value, (dict, list)):
        raise _Missing(key)
    return str(value)


def _money(order: Order, data: Mapping[str, Any], key: str) -> str:
    try:
        return money_label(Decimal(_text(data, key)), order.currency, active_locale())
    except InvalidOperation:
        raise _Missing(key) from None


def _with_note(sentence: str, data: Mapping[str, Any]) -> str:
    note = data.get("note")
    if not note:
        return sentence
    return gettext("%(sentence)s — note: %(note)s") % {"sentence": sentence, "note": note}


def _placed(order: Order, entry: TimelineEvent) -> str:
    """What was placed: as the entry recorded it (an edit changes the order), else the order now."""
    data = entry.data
    recorded = isinstance(data.get("items"), int)
    items = data["items"] if recorded else sum(line.quantity for line in order.lines)
    total = _money(order, data, "total")
    text = ngettext(
        "Order placed: %(count)d item, total %(total)s",
        "Order placed: %(count)d items, total %(total)s",
        items,
    ) % {"count": items, "total": total}
    code = data.get("coupon") if recorded else order.coupon_code
    amount = Decimal(str(data.get("discount") or 0)) if recorded else order.totals.discount
    if code and amount:
        discount = money_label(amount, order.currency, active_locale())
        text += " " + gettext("(coupon %(code)s, -%(discount)s)") % {"code": code, "discount": discount}
    return text


def _held(order: Order, entry: TimelineEvent) -> str:
    return gettext("Put on hold: %(reason)s") % {"reason": _text(entry.data, "reason")}


def _cancelled(order: Order, entry: TimelineEvent) -> str:
    reason = entry.data.get("reason")
    text = gettext("Order cancelled")
    if reason:
        text = gettext("Order cancelled: %(reason)s") % {"reason": reason}
    if entry.data.get("restock"):
        text += " " + gettext("(items restocked)")
    return text


def _parcel(order: Order, data: Mapping[str, Any]) -> tuple[int, Shipment]:
    """The entry's parcel and its number on the order (from 1)."""
    wanted = _text(data, "shipment_id")
    for number, shipment in enumerate(order.shipments, start=1):
        if shipment.id == wanted:
            return number, shipment
    raise _Missing("shipment_id")


def _shipped(order: Order, entry: TimelineEvent) -> str:
    number, shipment = _parcel(order, entry.data)
    carrier = carriers.display_name(_text(entry.data, "carrier"))
    tracking = _text(entry.data, "tracking_number")
    total = sum(line.quantity for line in order.lines)
    shipped = sum(parcel.units for parcel in order.shipments[:number])
    if number == 1 and shipped >= total:
        return gettext("Marked as shipped via %(carrier)s, tracking number %(number)s") % {
            "carrier": carrier,
            "number": tracking,
        }
    contents = describe_lines(order, shipment.lines)
    return gettext(
        "Parcel %(parcel)d shipped via %(carrier)s, tracking number %(number)s: %(contents)s"
        " (%(shipped)d of %(total)d items shipped)"
    ) % {
        "parcel": number,
        "carrier": carrier,
        "number": tracking,
        "contents": contents,
        "shipped": shipped,
        "total": total,
    }


def _tracking_updated(order: Order, entry: TimelineEvent) -> str:
    values = {
        "old_carrier": carriers.display_name(_text(entry.data, "previous_carrier")),
        "old_number": _text(entry.data, "previous_tracking_number"),
        "carrier": carriers.display_name(_text(entry.data, "carrier")),
        "number": _text(entry.data, "tracking_number"),
    }
    if len(order.shipments) < 2:
        return (
            gettext("Tracking changed from %(old_carrier)s %(old_number)s to %(carrier)s %(number)s") % values
        )
    values["parcel"] = str(_parcel(order, entry.data)[0])
    sentence = N_(
        "Tracking changed from %(old_carrier)s %(old_number)s to %(carrier)s %(number)s (parcel %(parcel)s)"
    )
    return gettext(sentence) % values


def _delivered(order: Order, entry: TimelineEvent) -> str:
    wanted, arrived = entry.data.get("shipment_ids"), entry.data.get("arrived")
    if not isinstance(wanted, list) or arrived is None:
        raise _Missing("shipment_ids")
    if arrived and len(order.shipments) == 1:
        return gettext("Marked as delivered")
    numbers = [n for n, shipment in enumerate(order.shipments, start=1) if shipment.id in wanted]
    text = ngettext("Parcel %(numbers)s delivered", "Parcels %(numbers)s delivered", len(numbers)) % {
        "numbers": ", ".join(map(str, numbers))
    }
    return text + (gettext(": every parcel has arrived") if arrived else "")


def _refunded_what(order: Order, data: Mapping[str, Any]) -> str:
    """``"1 x T-shirt, shipping"``: what a refund by line refunded ("" for a refund by amount)."""
    lines = data.get("lines")
    if not isinstance(lines, dict) and not data.get("shipping"):
        return ""
    units = describe_lines(order, {int(line_id): quantity for line_id, quantity in (lines or {}).items()})
    return ", ".join(filter(None, [units, gettext("shipping") if data.get("shipping") else ""]))


def _back_already(units: str) -> str:
    """``"(1 x T-shirt back in stock already: not put back again)"``: a unit goes back in stock once."""
    return gettext("(%(lines)s back in stock already: not put back again)") % {"lines": units}


def _refunded(order: Order, entry: TimelineEvent) -> str:
    amount = _money(order, entry.data, "amount")
    what = _refunded_what(order, entry.data)
    if what:
        sentence = gettext("Refunded %(amount)s for %(what)s") % {"amount": amount, "what": what}
        kept = entry.data.get("back_already")
        if isinstance(kept, dict) and kept:
            units = describe_lines(order, {int(line_id): units for line_id, units in kept.items()})
            sentence += " " + _back_already(units)
        return _with_note(sentence, entry.data)
    return _with_note(gettext("Refunded %(amount)s") % {"amount": amount}, entry.data)


def _refund_requested(order: Order, entry: TimelineEvent) -> str:
    amount = _money(order, entry.data, "amount")
    what = _refunded_what(order, entry.data)
    if what:
        sentence = gettext("Refund of %(amount)s for %(what)s asked of the payment provider") % {
            "amount": amount,
            "what": what,
        }
    else:
        sentence = gettext("Refund of %(amount)s asked of the payment provider") % {"amount": amount}
    return _with_note(sentence, entry.data)


def _refund_failed(order: Order, entry: TimelineEvent) -> str:
    return gettext("Refund of %(amount)s failed: %(reason)s") % {
        "amount": _money(order, entry.data, "amount"),
        "reason": _text(entry.data, "reason"),
    }


def _customer_emailed(order: Order, entry: TimelineEvent) -> str:
    return gettext("Message to the customer: %(subject)s") % {"subject": _text(entry.data, "subject")}


def _email_name(data: Mapping[str, Any]) -> str:
    try:
        return gettext(LABELS[EmailKind(_text(data, "kind"))])
    except ValueError:
        raise _Missing("kind") from None


def _email_sent(order: Order, entry: TimelineEvent) -> str:
    values = {"email": _email_name(entry.data), "to": _text(entry.data, "to")}
    if entry.data.get("resend"):
        return gettext("%(email)s resent to %(to)s") % values
    return gettext("%(email)s emailed to %(to)s") % values


def _email_failed(order: Order, entry: TimelineEvent) -> str:
    return gettext("%(email)s email to %(to)s failed (attempt %(attempt)s): %(reason)s") % {
        "email": _email_name(entry.data),
        "to": _text(entry.data, "to"),
        "attempt": _text(entry.data, "attempt"),
        "reason": _text(entry.data, "error"),
    }


def _gave_up(order: Order, entry: TimelineEvent) -> str:
    return gettext("Gave up on %(hook)s after %(attempts)s attempts: %(error)s") % {
        "hook": _text(entry.data, "hook"),
        "attempts": _text(entry.data, "attempts"),
        "error": _text(entry.data, "error"),
    }


#: The sentences of an edit's changes of an amount (the tax only where it changed).
_AMOUNT_CHANGES = {
    "discount": N_("Discount: %(old)s → %(new)s"),
    "tax": N_("Tax: %(old)s → %(new)s"),
    "total": N_("Total: %(old)s → %(new)s"),
}


def _edit_change(order: Order, change: Mapping[str, Any]) -> str:
    kind = change.get("change")
    if kind == "address":
        return gettext("Address: %(old)s → %(new)s") % {
            "old": _text(change, "old"),
            "new": _text(change, "new"),
        }
    if kind == "quantity":
        return gettext("Quantity of %(name)s: %(old)s → %(new)s") % {
            "name": _text(change, "name"),
            "old": _text(change, "old"),
            "new": _text(change, "new"),
        }
    if kind == "removed":
        return gettext("Removed %(quantity)s x %(name)s") % {
            "quantity": _text(change, "quantity"),
            "name": _text(change, "name"),
        }
    if kind == "added":
        return gettext("Added %(quantity)s x %(name)s at %(price)s") % {
            "quantity": _text(change, "quantity"),
            "name": _text(change, "name"),
            "price": _money(order, change, "unit_price"),
        }
    if isinstance(kind, str) and kind in _AMOUNT_CHANGES:  # discount, tax, total: old -> new
        return gettext(_AMOUNT_CHANGES[kind]) % {
            "old": _money(order, change, "old"),
            "new": _money(order, change, "new"),
        }
    raise _Missing("change")


def _edited(order: Order, entry: TimelineEvent) -> str:
    changes = entry.data.get("changes")
    if not isinstance(changes, list) or not all(isinstance(change, Mapping) for change in changes):
        raise _Missing("changes")
    parts = "; ".join(_edit_change(order, change) for change in changes)
    return _with_note(gettext("Order edited: %(changes)s") % {"changes": parts}, entry.data)


def _returned(order: Order, data: Mapping[str, Any]) -> str:
    """``"1 x T-shirt"``: what a return holds."""
    lines = data.get("lines")
    if not isinstance(lines, dict) or not lines:
        raise _Missing("lines")
    return describe_lines(order, {int(line_id): quantity for line_id, quantity in lines.items()})


def _return_opened(order: Order, entry: TimelineEvent) -> str:
    what = _returned(order, entry.data)
    return gettext("Return opened for %(lines)s: %(reason)s") % {
        "lines": what,
        "reason": _text(entry.data, "reason"),
    }


def _return_received(order: Order, entry: TimelineEvent) -> str:
    what = {"lines": _returned(order, entry.data)}
    kept = entry.data.get("back_already")
    if isinstance(kept, dict) and kept:
        units = describe_lines(order, {int(line_id): units for line_id, units in kept.items()})
        return gettext("Return received: %(lines)s") % what + " " + _back_already(units)
    if entry.data.get("restock"):
        return gettext("Return received: %(lines)s (put back in stock)") % what
    return gettext("Return received: %(lines)s") % what


def _return_refunded(order: Order, entry: TimelineEvent) -> str:
    values = {"lines": _returned(order, entry.data), "amount": _money(order, entry.data, "amount")}
    return _with_note(gettext("Return refunded %(amount)s: %(lines)s") % values, entry.data)


def _return_closed(order: Order, entry: TimelineEvent) -> str:
    what = {"lines": _returned(order, entry.data)}
    if entry.data.get("received"):
        sentence = gettext("Return closed without a refund: %(lines)s") % what
    else:
        sentence = gettext("Return closed without a refund: %(lines)s (never received)") % what
    return _with_note(sentence, entry.data)


def _fixed(message: str) -> Callable[[Order, TimelineEvent], str]:
    return lambda order, entry: gettext(message)


_SENTENCES: Mapping[str, Callable[[Order, TimelineEvent], str]] = {
    TimelineKind.PLACED: _placed,
    TimelineKind.PAYMENT_CONFIRMED: _fixed(N_("Payment confirmed")),
    TimelineKind.HELD: _held,
    TimelineKind.RELEASED: _fixed(N_("Released from hold")),
    TimelineKind.CANCELLED: _cancelled,
    TimelineKind.SHIPPED: _shipped,
    TimelineKind.TRACKING_UPDATED: _tracking_updated,
    TimelineKind.DELIVERED: _delivered,
    TimelineKind.REFUND_REQUESTED: _refund_requested,
    TimelineKind.REFUND_FAILED: _refund_failed,
    TimelineKind.REFUNDED: _refunded,
    TimelineKind.EDITED: _edited,
    TimelineKind.RETURN_OPENED: _return_opened,
    TimelineKind.RETURN_RECEIVED: _return_received,
    TimelineKind.RETURN_REFUNDED: _return_refunded,
    TimelineKind.RETURN_CLOSED: _return_closed,
    TimelineKind.CUSTOMER_EMAILED: _customer_emailed,
    TimelineKind.EMAIL_RETRIED: _fixed(N_("Asked to try the failed email again")),
    TimelineKind.EMAIL_SENT: _email_sent,
    TimelineKind.EMAIL_FAILED: _email_failed,
    TimelineKind.OUTBOX_GAVE_UP: _gave_up,
}


def entry_text(order: Order, entry: TimelineEvent) -> str:
    """What the page says for *entry* of *order*, in the active locale (as stored where it cannot)."""
    sentence = _SENTENCES.get(entry.kind)
    if sentence is None:
        return entry.message
    try:
        return sentence(order, entry)
    except _Missing:
        return entry.message
