"""The order page's timeline: each entry with what stands out about it and its buttons.

An email's open failure (its latest attempt failed and no copy went out since) is marked so
the page shows it apart, with its reason and, when the outbox gave up on it, that it waits
for the merchant. The buttons beside an entry ("Resend", "Retry") are the forms of the
registry's ``placement="entry"`` actions that accept it (:attr:`ActionSpec.for_entry`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs

from kasify_orders.model import Order, TimelineEvent
from kasify_orders.registry import ActionSpec, Money
from kasify_orders.registry.talking import email_key, entries_after, failure_is_open
from kasify_orders.timeline import TimelineKind
from kasify_orders.web.forms import ActionForm, form_for
from kasify_orders.web.timeline_text import entry_text

__all__ = ["TimelineItem", "entry_forms", "timeline_items"]


@attrs.frozen
class TimelineItem:
    """One timeline entry as the page shows it."""

    entry: TimelineEvent
    #: What the page says for it, in the merchant's language (:func:`~.timeline_text.entry_text`).
    text: str
    #: An email's open failure: shown apart, with :attr:`reason`.
    failed: bool = False
    #: Why it failed (the mail server's answer, as the ledger and the outbox recorded it).
    reason: str | None = None
    #: The outbox gave up on its event after the last attempt: it waits for a retry.
    dead: bool = False
    #: The buttons beside it.
    forms: Sequence[ActionForm] = ()


def _gave_up(order: Order, entry: TimelineEvent) -> bool:
    """Whether the outbox gave up on *entry*'s event after it (and no retry was asked since)."""
    event_id = email_key(entry)[0]
    state = False
    for later in entries_after(order, entry):
        if later.data.get("event_id") != event_id:
            continue
        if later.kind == TimelineKind.OUTBOX_GAVE_UP:
            state = True
        elif later.kind == TimelineKind.EMAIL_RETRIED:
            state = False
    return state


def entry_forms(
    specs: Sequence[ActionSpec],
    order: Order,
    entry: TimelineEvent,
    *,
    url: Callable[[str], str],
    may: Callable[[str], bool],
    amount: Money,
) -> list[ActionForm]:
    """The buttons beside *entry*: the form of each of *specs* that accepts it, with its values."""
    forms = []
    for spec in specs:
        values = spec.for_entry(order, entry) if spec.for_entry else None
        if values is not None:
            forms.append(
                form_for(spec, order, url=url(spec.action.value), may=may, amount=amount, sent=values)
            )
    return forms


def timeline_items(
    order: Order,
    specs: Sequence[ActionSpec],
    *,
    url: Callable[[str], str],
    may: Callable[[str], bool],
    amount: Money,
) -> list[TimelineItem]:
    """The order's timeline, newest first, each entry with the buttons of the entry actions *specs*.

    *url* gives an action's form address, *may* the host's answer for a permission, *amount*
    writes money (as :func:`~kasify_orders.web.forms.form_for` takes them).
    """

    def forms_for(entry: TimelineEvent) -> list[ActionForm]:
        return entry_forms(specs, order, entry, url=url, may=may, amount=amount)

    items = []
    for entry in reversed(order.timeline):
        failed = failure_is_open(order, entry)
        items.append(
            TimelineItem(
                entry,
                entry_text(order, entry),
                failed=failed,
                reason=str(entry.data.get("error") or "") or None if failed else None,
                dead=failed and _gave_up(order, entry),
                forms=forms_for(entry),
            )
        )
    return items
