"""The list's counts come from counter rows kept in each action's transaction: exact after every action.

Every count is checked against the orders themselves (``GROUP BY``, and the "Needs attention"
rule's own query), after each action, after actions that fail, and after threads acting at once.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

import kasify_orders as ko
from kasify_orders.storage import counters, migrate
from kasify_orders.storage.queries import OrderFilter, filtered
from kasify_orders.web.attention import attention_cutoff
from tests.helpers import Clock, new_order


def counted_from_orders(orders: ko.Orders) -> dict[ko.Status, int]:
    """``GROUP BY status`` on the orders table: what the counters must say."""
    o = orders.store.tables.orders
    with orders.store.engine.connect() as conn:
        rows = conn.execute(sa.select(o.c.status, sa.func.count()).group_by(o.c.status)).all()
    found = {ko.Status(status): count for status, count in rows}
    return {status: found.get(status, 0) for status in ko.Status}


def late_from_orders(orders: ko.Orders, cutoff: datetime) -> int:
    """The "Needs attention" rule as a plain query on the orders."""
    o = orders.store.tables.orders
    where = OrderFilter(status=ko.Status.PROCESSING, paid_before=cutoff)
    with orders.store.engine.connect() as conn:
        return int(
            conn.scalar(filtered(sa.select(sa.func.count()).select_from(o), orders.store.tables, where))
        )


def assert_exact(orders: ko.Orders, *cutoffs: datetime) -> None:
    """Counters, counts and "Needs attention" agree with the orders; nothing drifted."""
    assert orders.count_by_status() == counted_from_orders(orders)
    assert orders.count() == sum(counted_from_orders(orders).values())
    for status in ko.Status:
        assert orders.count(status=status) == counted_from_orders(orders)[status]
    for cutoff in cutoffs:
        assert orders.count(status=ko.Status.PROCESSING, paid_before=cutoff) == late_from_orders(
            orders, cutoff
        )
        assert orders.count_tabs(cutoff) == (counted_from_orders(orders), late_from_orders(orders, cutoff))
    assert counters.drift(orders.store) == {}


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))  # a Monday


@pytest.fixture
def shop(database_url: str, clock: Clock) -> Iterator[ko.Orders]:
    """An ``Orders`` on the empty database of each kind, on a clock the test moves."""
    from tests.helpers import wipe

    with ko.Orders.connect(database_url, load_entrypoints=False, migrate=False, clock=clock) as connected:
        yield connected
    wipe(database_url)


def test_counts_follow_every_action(shop: ko.Orders, clock: Clock) -> None:
    placed = [shop.place(new_order()) for _ in range(8)]
    assert_exact(shop)
    assert shop.count_by_status()[ko.Status.PENDING] == 8
    for order in [*placed[:6], placed[7]]:
        shop.confirm_payment(order.id)
        clock.advance(3600)
    assert_exact(shop, clock.now)
    shop.mark_shipped(placed[0].id, tracking_number="1Z999AA10123456784", carrier="ups")
    shop.mark_shipped(placed[1].id, tracking_number="1Z999AA10123456785", carrier="ups")
    shop.mark_delivered(placed[1].id)
    shop.cancel(placed[2].id, reason="customer asked", refund=True)
    shop.refund(placed[3].id, None)  # the whole balance
    shop.refund(placed[4].id, Decimal("1.00"))  # partial: still processing
    shop.cancel(placed[6].id, reason="never paid")
    shop.add_note(placed[5].id, "called the customer")
    shop.hold(placed[7].id, reason="address check")  # held: not waiting to ship, not late
    shop.release(shop.hold(placed[5].id, reason="fraud check").id)
    assert_exact(shop, clock.now, clock.now - timedelta(hours=2, minutes=30))
    assert shop.count_by_status() == {
        ko.Status.PENDING: 0,
        ko.Status.PROCESSING: 2,
        ko.Status.ON_HOLD: 1,
        ko.Status.SHIPPED: 1,
        ko.Status.DELIVERED: 1,
        ko.Status.CANCELLED: 2,
        ko.Status.REFUNDED: 1,
    }


def test_failed_actions_change_no_counter(shop: ko.Orders) -> None:
    shop.inventory.set_stock("LIMITED", 1)
    order = shop.place(new_order(), idempotency_key="checkout-1")
    paid = shop.confirm_payment(shop.place(new_order()).id)
    before = counters.drift(shop.store), shop.count_by_status()
    failures: list[Callable[[], object]] = [
        lambda: shop.mark_delivered(order.id),  # pending: not shipped yet
        lambda: shop.place(new_order(sku="LIMITED", quantity=2)),  # out of stock
        lambda: shop.confirm_payment(order.id, expected_version=order.version + 5),  # stale form
        lambda: shop.mark_shipped(paid.id, tracking_number="", carrier="ups"),  # no tracking number
        lambda: shop.refund(paid.id, Decimal("1000.00")),  # more than was paid
        lambda: shop.place(new_order(coupon_code="NOSUCH")),
    ]
    for failing in failures:
        with pytest.raises(ko.KasifyError):
            failing()
    assert shop.place(new_order(), idempotency_key="checkout-1").id == order.id  # a retry places nothing
    assert (counters.drift(shop.store), shop.count_by_status()) == before
    assert_exact(shop)


def test_needs_attention_is_exact_at_any_cutoff(shop: ko.Orders, clock: Clock) -> None:
    """Payments spread over days, and several within the cutoff's own day, on either side of it."""
    start = clock.now
    for hours in (0, 5, 23, 24, 30, 47, 49, 70, 71, 72, 100):
        clock.now = start + timedelta(hours=hours)
        shop.confirm_payment(shop.place(new_order()).id)
    clock.now = start + timedelta(hours=101)
    shipped = shop.list(status=ko.Status.PROCESSING, limit=3).items
    for order in shipped:  # leave the waiting set: no longer counted
        shop.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")
    cutoffs = [
        start + timedelta(hours=hours, minutes=minutes) for hours in range(-2, 104, 7) for minutes in (0, 1)
    ]
    cutoffs += [attention_cutoff(clock.now, days) for days in (0, 1, 2, 3)]
    assert_exact(shop, *cutoffs)
    assert shop.count(status=ko.Status.PROCESSING, paid_before=start + timedelta(hours=200)) == 8


def test_a_payment_time_corrected_in_the_table_is_counted_as_it_is(shop: ko.Orders, clock: Clock) -> None:
    """ "Needs attention" reads payment times from the orders: an edit around kasify stays exact."""
    late, fresh = (shop.confirm_payment(shop.place(new_order()).id) for _ in range(2))
    o = shop.store.tables.orders
    with shop.store.engine.begin() as conn:
        conn.execute(sa.update(o).where(o.c.id == late.id).values(paid_at=clock.now - timedelta(days=14)))
    cutoff = attention_cutoff(clock.now, 2)
    assert shop.count(status=ko.Status.PROCESSING, paid_before=cutoff) == 1
    assert_exact(shop, cutoff, clock.now - timedelta(days=20))
    assert fresh.status is ko.Status.PROCESSING


def test_the_list_page_counts_are_the_counters(shop: ko.Orders, clock: Clock) -> None:
    """The tabs and "Needs attention" of the merchant's list, through the pages' own code."""
    from kasify_orders.web.pages import MerchantPages

    class Urls:
        def order_list(self, **query: str) -> str:
            return "/?" + "&".join(f"{k}={v}" for k, v in sorted(query.items()))

        def order(self, order_id: str) -> str:
            return f"/{order_id}"

        def url(self, name: str, /, query: dict[str, str] | None = None, **params: str) -> str:
            return f"/{name}?" + "&".join(f"{k}={v}" for k, v in sorted((query or {}).items()))

    for _ in range(3):
        shop.confirm_payment(shop.place(new_order()).id)
    shop.place(new_order())
    clock.advance(5 * 24 * 3600)
    page = MerchantPages(shop, Urls(), clock=clock).order_list({}, lambda action, order: True)  # type: ignore[arg-type]
    tabs = {tab.key: tab.count for tab in page.context["tabs"]}
    assert tabs == {"": "4", "pending": "1", "processing": "3", "on_hold": "0", "shipped": "0"} | {
        "delivered": "0",
        "cancelled": "0",
        "refunded": "0",
        "attention": "3",
    }


def test_counts_stay_exact_with_threads_acting_at_once(shop: ko.Orders, clock: Clock) -> None:
    """Four threads place, pay, ship and cancel the same orders at once; every count comes out exact."""
    shop.inventory.set_stock("TEE-RED-M", 10_000)
    seeded = [shop.place(new_order()).id for _ in range(12)]
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def act(worker: int) -> None:
        barrier.wait(timeout=60)
        for step in range(12):
            order_id = seeded[(step + worker) % len(seeded)]
            try:
                if worker == 0:
                    shop.place(new_order())
                elif worker == 1:
                    shop.confirm_payment(order_id)
                elif worker == 2:
                    shop.mark_shipped(order_id, tracking_number="1Z999AA10123456784", carrier="ups")
                else:
                    shop.cancel(order_id, reason="changed mind", refund=True)
            except ko.KasifyError as error:
                outcome = type(error).__name__
            except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
                outcome = f"unexpected {type(error).__name__}: {error}"
            else:
                outcome = "ok"
            with lock:
                outcomes[outcome] += 1

    threads = [threading.Thread(target=act, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not [name for name in outcomes if name.startswith("unexpected")], outcomes
    assert outcomes["ok"] >= 12  # every placement at least
    assert_exact(shop, clock.now + timedelta(days=1))


def _process_worker(url: str, worker: int, order_ids: list[str], barrier: Any, results: Any) -> None:
    """One process's share: places, or moves the shared orders on, and reports each outcome."""
    with ko.Orders.connect(url, load_entrypoints=False, migrate=False) as orders:
        barrier.wait(timeout=60)
        for step, order_id in enumerate(order_ids):
            try:
                if worker == 0:
                    orders.place(new_order())
                elif worker == 1:
                    orders.confirm_payment(order_id)
                elif (worker + step) % 2:
                    orders.mark_shipped(order_id, tracking_number="1Z999AA10123456784", carrier="ups")
                else:
                    orders.cancel(order_id, reason="changed mind", refund=True)
            except ko.KasifyError as error:
                results.put(type(error).__name__)
            except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
                results.put(f"unexpected {type(error).__name__}: {error}")
            else:
                results.put("ok")


def test_counts_stay_exact_with_processes_acting_at_once(shop: ko.Orders, database_url: str) -> None:
    """Four processes (as web workers are) act on the same orders at once: the counts come out exact."""
    context = multiprocessing.get_context("spawn")
    seeded = [shop.place(new_order()).id for _ in range(10)]
    barrier, results = context.Barrier(4), context.Queue()
    processes = [
        context.Process(target=_process_worker, args=(database_url, worker, seeded, barrier, results))
        for worker in range(4)
    ]
    for process in processes:
        process.start()
    outcomes = Counter(results.get(timeout=120) for _ in range(4 * len(seeded)))
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert not [name for name in outcomes if name.startswith("unexpected")], outcomes
    assert outcomes["ok"] >= len(seeded)
    assert_exact(shop, datetime.now(UTC) + timedelta(days=1))


def test_rebuild_repairs_counters_written_around_kasify(shop: ko.Orders) -> None:
    for _ in range(3):
        shop.confirm_payment(shop.place(new_order()).id)
    c = shop.store.tables.counters
    with shop.store.engine.begin() as conn:  # another program changed the counts (or the orders)
        conn.execute(sa.update(c).where(c.c.name == "status:processing").values(value=c.c.value + 5))
        conn.execute(sa.insert(c).values(name="status:no-such-status", value=2))
    assert counters.drift(shop.store) == {"status:no-such-status": (2, 0), "status:processing": (8, 3)}
    assert counters.rebuild(shop.store)["status:processing"] == 3
    assert_exact(shop, datetime.now(UTC) + timedelta(days=30))
    with shop.store.engine.connect() as conn:
        assert conn.scalar(sa.select(c.c.value).where(c.c.name == "order_number")) == 3  # left alone


@pytest.fixture
def prefixed(database_url: str) -> Iterator[ko.Orders]:
    """An ``Orders`` on tables of its own prefix, migrated to head; every one dropped afterwards."""
    settings = ko.Settings(table_prefix="cnt_")
    with ko.Orders.connect(
        database_url, settings=settings, load_entrypoints=False, migrate=True
    ) as connected:
        yield connected
        migrate.downgrade(connected.store)
        with connected.store.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS cnt_alembic_version")


def test_upgrading_to_0007_counts_the_orders_already_there(prefixed: ko.Orders, clock: Clock) -> None:
    shop = prefixed
    placed = [shop.place(new_order()) for _ in range(5)]
    for order in placed[:3]:
        shop.confirm_payment(order.id)
    shop.mark_shipped(placed[0].id, tracking_number="1Z999AA10123456784", carrier="ups")
    migrate.downgrade(shop.store, "0006")  # the schema before the counters: their rows go
    c = shop.store.tables.counters
    with shop.store.engine.connect() as conn:
        assert conn.execute(sa.select(c.c.name)).scalars().all() == ["order_number"]
        indexes = {index["name"] for index in sa.inspect(conn).get_indexes("cnt_orders")}
    assert "ix_cnt_orders_status_paid_at" not in indexes
    migrate.upgrade(shop.store)
    assert shop.count_by_status()[ko.Status.PENDING] == 2
    assert_exact(shop, datetime.now(UTC) + timedelta(days=1), datetime.now(UTC) - timedelta(days=1))
    shop.confirm_payment(placed[3].id)  # and they go on from there
    assert_exact(shop, datetime.now(UTC) + timedelta(days=1))
    with shop.store.engine.begin() as conn:
        for table in reversed(shop.store.tables.metadata.sorted_tables):
            conn.execute(table.delete())


def test_the_cli_checks_and_rebuilds_the_counters(prefixed: ko.Orders) -> None:
    from click.testing import CliRunner

    from kasify_orders.cli import main

    shop = prefixed
    for _ in range(2):
        shop.place(new_order())
    c = shop.store.tables.counters
    with shop.store.engine.begin() as conn:
        conn.execute(sa.update(c).where(c.c.name == "status:pending").values(value=7))
    url = shop.store.engine.url.render_as_string(hide_password=False)
    base = ["--url", url]
    runner = CliRunner(env={"KASIFY_ORDERS_TABLE_PREFIX": "cnt_"})
    checked = runner.invoke(main, [*base, "check"])
    assert "1 status counts differ" in checked.output and "db rebuild-counters" in checked.output, (
        checked.output
    )
    rebuilt = runner.invoke(main, [*base, "db", "rebuild-counters"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "Counted 2 orders" in rebuilt.output
    assert_exact(shop)
    assert "the status counts match the orders" in runner.invoke(main, [*base, "check"]).output
    with shop.store.engine.begin() as conn:
        for table in reversed(shop.store.tables.metadata.sorted_tables):
            conn.execute(table.delete())
