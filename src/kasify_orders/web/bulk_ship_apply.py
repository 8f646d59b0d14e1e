"""Apply a checked CSV file: each row that ships runs the registry's ship action on its own.

Each row is its own action (its own transaction, timeline entry and shipping email). Every
row is checked again against the order as it is now, just before it is shipped, so a
double submit or a rerun of the same file finds the order shipped with that tracking number
and does nothing. The ship action is called as the order page calls it: with the order's
version (a change meanwhile is refused, not overwritten) and the row's key (the file's
digest and line) as the idempotency key.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from decimal import Decimal

import attrs

from kasify_orders import bulk_ship
from kasify_orders.bulk_ship import CheckedRow, Outcome, Row
from kasify_orders.errors import ConcurrentUpdate, InvalidTransition, OrderNotFound
from kasify_orders.i18n import gettext
from kasify_orders.model import Order
from kasify_orders.registry import MERCHANT_ACTIONS, Context
from kasify_orders.registry.merchant import MARK_SHIPPED
from kasify_orders.service import Orders
from kasify_orders.web.formatting import sentence
from kasify_orders.web.problems import HANDLED

__all__ = ["Done", "RowResult", "check_file", "ship_rows"]

assert MERCHANT_ACTIONS[MARK_SHIPPED.action] is MARK_SHIPPED


class Done(enum.StrEnum):
    """What happened to a row."""

    SHIPPED = "shipped"
    NOTHING = "nothing"
    SKIPPED = "skipped"
    FAILED = "failed"


@attrs.frozen
class RowResult:
    """One row's result, as the result page shows it."""

    row: Row
    done: Done
    message: str
    order: Order | None = None


def finder(orders: Orders) -> Callable[[int], Order | None]:
    """Find an order by its number, or None."""

    def find(number: int) -> Order | None:
        try:
            return orders.get_by_number(number)
        except OrderNotFound:
            return None

    return find


def check_file(orders: Orders, rows: Sequence[Row], may_ship: Callable[[Order], bool]) -> list[CheckedRow]:
    """Every row checked against the orders as they are now (the preview)."""
    return bulk_ship.check_rows(rows, finder(orders), may_ship=may_ship)


def _problems(checked: CheckedRow) -> str:
    """The row's problems as the result page says them (its line is in the row already)."""
    return " ".join(
        f"{problem.column_label}: {sentence(problem.message)}"
        if problem.column
        else sentence(problem.message)
        for problem in checked.problems
    )


def _ship(
    orders: Orders,
    checked: CheckedRow,
    *,
    digest: str,
    actor: str | None,
    may_ship: Callable[[Order], bool],
    money: Callable[[Decimal, str], str],
) -> RowResult:
    """Check one row again on the order as it is now, then ship it."""
    row = checked.row
    (again,) = bulk_ship.check_rows([row], finder(orders), may_ship=may_ship)
    if again.outcome is Outcome.NOTHING:
        return RowResult(row, Done.NOTHING, sentence(again.note), again.order)
    if again.outcome is Outcome.PROBLEM or again.order is None:
        return RowResult(row, Done.SKIPPED, _problems(again), again.order)
    order = again.order
    inputs = {"tracking_number": row.tracking_number, "carrier": again.carrier}
    context = Context(
        actor=actor,
        expected_version=order.version,
        idempotency_key=bulk_ship.row_key(digest, row.line),
        money=money,
    )
    try:
        after = MARK_SHIPPED.run(orders, order, inputs, context)
    except (ConcurrentUpdate, InvalidTransition):
        # Another submission of this file (or someone else) got there first: say what it is now.
        (now,) = bulk_ship.check_rows([row], finder(orders), may_ship=may_ship)
        if now.outcome is Outcome.NOTHING:
            return RowResult(row, Done.NOTHING, sentence(now.note), now.order)
        return RowResult(
            row, Done.FAILED, gettext("The order changed meanwhile; nothing was changed."), now.order
        )
    except HANDLED as error:
        return RowResult(row, Done.FAILED, sentence(str(error)), order)
    return RowResult(row, Done.SHIPPED, MARK_SHIPPED.notice(order, after, inputs, context), after)


def ship_rows(
    orders: Orders,
    rows: Sequence[Row],
    *,
    digest: str,
    actor: str | None,
    may_ship: Callable[[Order], bool],
    money: Callable[[Decimal, str], str],
) -> list[RowResult]:
    """Apply the file: rows with problems are skipped, each other row is shipped on its own."""
    results = []
    for checked in check_file(orders, rows, may_ship):
        if checked.outcome is Outcome.PROBLEM:
            results.append(RowResult(checked.row, Done.SKIPPED, _problems(checked), checked.order))
        elif checked.outcome is Outcome.NOTHING:
            results.append(RowResult(checked.row, Done.NOTHING, sentence(checked.note), checked.order))
        else:
            results.append(_ship(orders, checked, digest=digest, actor=actor, may_ship=may_ship, money=money))
    return results
