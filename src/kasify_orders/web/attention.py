"""The "Needs attention" rule: paid orders not shipped within N business days."""

from __future__ import annotations

from datetime import datetime, timedelta

__all__ = ["attention_cutoff"]

_SATURDAY = 5


def attention_cutoff(now: datetime, business_days: int) -> datetime:
    """The moment *business_days* working days (Monday to Friday) before *now*.

    An order paid before it and still unshipped is late. Weekends do not count, so an order
    paid on Friday afternoon with a two-day promise is late from Tuesday afternoon.
    """
    moment = now
    left = business_days
    while left > 0:
        moment -= timedelta(days=1)
        if moment.weekday() < _SATURDAY:
            left -= 1
    return moment
