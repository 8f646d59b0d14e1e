"""Benchmarks: kasify's actions against a plain SQLAlchemy Core baseline, on every database.

The baseline writes the same rows as kasify, one transaction per action, with no checks,
no locks and no domain objects: the practical limit for this schema. Run with
``tox -e bench`` (or ``python tests/benchmarks/run.py --help``); it prints a table.

    python tests/benchmarks/run.py --ops 300 --big 1000000
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parents[2]))

import kasify_orders as ko
from kasify_orders.model import utcnow
from kasify_orders.storage.search import terms_of
from kasify_orders.storage.statements import ORDER_NUMBER
from kasify_orders.storage.tables import Tables
from tests.benchmarks import listpage

CART = ko.NewOrder(
    customer=ko.Customer(name="Ada Lovelace", email="ada@example.com"),
    shipping_address=ko.Address(
        line1="12 St James's Sq", city="London", postal_code="SW1Y 4JH", country="GB"
    ),
    lines=[
        ko.NewLine(
            sku="TEE-RED-M", name="T-shirt", variant="Red / M", quantity=2, unit_price=Decimal("25.00")
        ),
        ko.NewLine(sku="MUG", name="Mug", variant="", quantity=1, unit_price=Decimal("9.00")),
    ],
    currency="USD",
    shipping_cost=Decimal("5.00"),
)


@contextmanager
def database(kind: str) -> Iterator[str]:
    """A fresh database of *kind*, dropped afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{directory}/bench.sqlite3"
        return
    env = {"postgresql": "KASIFY_TEST_POSTGRES_URL", "mysql": "KASIFY_TEST_MYSQL_URL"}[kind]
    url = sa.engine.make_url(os.environ[env])
    name = f"kasify_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            force = " WITH (FORCE)" if kind == "postgresql" else ""
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}{force}")
        admin.dispose()


class StatementCounter:
    """Counts the SQL statements an engine sends (BEGIN/COMMIT included where the driver sends them)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1


def compare(
    ours: Callable[[int], object],
    base: Callable[[int], object],
    ops: int,
    counter: StatementCounter,
    rounds: int = 10,
) -> tuple[float, float, float, float]:
    """ops/s of *ours* and of *base*, the median of their per-round ratios, and our statements per op.

    The two take turns in *rounds* slices of the operations (who goes first alternates too),
    so a machine that slows down or speeds up during the run weighs on both alike; the
    median ratio is the figure to read, the ops/s are the whole run's.
    """
    per = max(ops // rounds, 1)
    seconds = {ours: 0.0, base: 0.0}
    ratios, statements = [], 0
    for turn in range(rounds):
        indices = range(turn * per, (turn + 1) * per)
        taken = {}
        for action in (ours, base) if turn % 2 == 0 else (base, ours):
            before = counter.count
            start = time.perf_counter()
            for index in indices:
                action(index)
            taken[action] = time.perf_counter() - start
            if action is ours:
                statements += counter.count - before
        seconds[ours] += taken[ours]
        seconds[base] += taken[base]
        ratios.append(taken[base] / taken[ours])
    done = per * rounds
    return done / seconds[ours], done / seconds[base], statistics.median(ratios), statements / done


def latencies(
    ours: Callable[[], object], base: Callable[[], object], runs: int
) -> tuple[tuple[float, float], tuple[float, float]]:
    """p50 and p95 latency in milliseconds of *ours* and of *base*, called in turn *runs* times each."""
    timings: dict[Callable[[], object], list[float]] = {ours: [], base: []}
    for run in range(runs):
        for action in (ours, base) if run % 2 == 0 else (base, ours):
            start = time.perf_counter()
            action()
            timings[action].append((time.perf_counter() - start) * 1000)
    return _p50_p95(timings[ours]), _p50_p95(timings[base])


def percentiles(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """p50 and p95 latency of *action*, in milliseconds."""
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return _p50_p95(timings)


def _p50_p95(timings: list[float]) -> tuple[float, float]:
    quantiles = statistics.quantiles(timings, n=100)
    return quantiles[49], quantiles[94]


# -- the baseline: the same rows, written directly ---------------------------------------------


#: The search terms of the baseline's customer (kasify writes them for every order it places).
_TERMS = sorted(terms_of(CART.customer.name, CART.customer.email))


class Baseline:
    """Plain SQLAlchemy Core, one transaction per action, no checks: kasify's rows, stock included."""

    def __init__(self, engine: sa.Engine, tables: Tables) -> None:
        self.engine = engine
        self.t = tables
        self.ids: list[str] = []
        c = tables.counters
        with engine.begin() as conn:  # every status has its count row, so a plain UPDATE moves it
            have = set(conn.scalars(sa.select(c.c.name)))
            missing = [
                f"status:{status.value}" for status in ko.Status if f"status:{status.value}" not in have
            ]
            if missing:
                conn.execute(sa.insert(c), [{"name": name, "value": 0} for name in missing])

    def _count(self, conn: sa.Connection, was: str | None, now: str) -> None:
        """Move one order's status count, as kasify does in the action's transaction (one statement)."""
        c = self.t.counters
        if was is None:
            conn.execute(sa.update(c).where(c.c.name == f"status:{now}").values(value=c.c.value + 1))
            return
        delta = sa.case((c.c.name == f"status:{was}", -1), else_=1)
        names = [f"status:{was}", f"status:{now}"]
        conn.execute(sa.update(c).where(c.c.name.in_(names)).values(value=c.c.value + delta))

    def place(self, _index: int) -> None:
        now = utcnow()
        order_id = uuid.uuid4().hex
        with self.engine.begin() as conn:
            # The number comes from the counter row, as kasify takes it (one locked UPDATE).
            c = self.t.counters
            conn.execute(sa.update(c).where(c.c.name == ORDER_NUMBER).values(value=c.c.value + 1))
            number = conn.scalar(sa.select(c.c.value).where(c.c.name == ORDER_NUMBER))
            self._count(conn, None, "pending")
            conn.execute(
                sa.insert(self.t.orders).values(
                    number=number,
                    id=order_id,
                    idempotency_key=None,
                    version=1,
                    status="pending",
                    payment_status="pending",
                    customer_name="Ada Lovelace",
                    customer_email="ada@example.com",
                    ship_line1="12 St James's Sq",
                    ship_line2="",
                    ship_city="London",
                    ship_region="",
                    ship_postal_code="SW1Y 4JH",
                    ship_country="GB",
                    currency="USD",
                    subtotal=5900,
                    shipping=500,
                    discount=0,
                    total=6400,
                    refunded=0,
                    coupon_code=None,
                    customer_note="",
                    created_at=now,
                    updated_at=now,
                )
            )
            conn.execute(sa.insert(self.t.search_terms), [{"term": t, "number": number} for t in _TERMS])
            conn.execute(
                sa.insert(self.t.lines),
                [
                    {
                        "order_id": order_id,
                        "position": 0,
                        "sku": "TEE-RED-M",
                        "name": "T-shirt",
                        "variant": "Red / M",
                        "quantity": 2,
                        "unit_price": 2500,
                        "total": 5000,
                    },
                    {
                        "order_id": order_id,
                        "position": 1,
                        "sku": "MUG",
                        "name": "Mug",
                        "variant": "",
                        "quantity": 1,
                        "unit_price": 900,
                        "total": 900,
                    },
                ],
            )
            conn.execute(
                sa.insert(self.t.timeline).values(
                    order_id=order_id, at=now, kind="placed", actor=None, message="Order placed", data={}
                )
            )
            inventory = self.t.inventory
            conn.execute(
                sa.update(inventory)
                .where(inventory.c.sku == "TEE-RED-M")
                .values(quantity=inventory.c.quantity - 2, updated_at=now)
            )
        self.ids.append(order_id)

    def _update(
        self, order_id: str, values: dict[str, Any], kind: str, *, refund: int = 0, was: str | None = None
    ) -> None:
        """Update the order row (its status count too, from *was*), record a *refund* of that many
        minor units if any, add the entry."""
        now = utcnow()
        o = self.t.orders
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(o)
                .where(o.c.id == order_id)
                .values(version=o.c.version + 1, updated_at=now, **values)
            )
            if was is not None:
                self._count(conn, was, values["status"])
            if refund:
                conn.execute(
                    sa.insert(self.t.refunds).values(
                        id=uuid.uuid4().hex, order_id=order_id, amount=refund, note="", created_at=now
                    )
                )
            conn.execute(
                sa.insert(self.t.timeline).values(
                    order_id=order_id, at=now, kind=kind, actor=None, message=kind, data={}
                )
            )

    def confirm_and_ship(self, index: int) -> None:
        order_id = self.ids[index]
        self._update(
            order_id,
            {"status": "processing", "payment_status": "paid", "paid_at": utcnow()},
            "payment_confirmed",
            was="pending",
        )
        self._update(
            order_id,
            {
                "status": "shipped",
                "carrier": "ups",
                "tracking_number": "1Z999AA10123456784",
                "shipped_at": utcnow(),
            },
            "shipped",
            was="processing",
        )

    def refund(self, index: int) -> None:
        o = self.t.orders
        self._update(
            self.ids[index],
            {"refunded": o.c.refunded + 100, "payment_status": "partially_refunded"},
            "refunded",
            refund=100,
        )

    def list_page(self) -> None:
        o = self.t.orders
        with self.engine.connect() as conn:
            conn.execute(sa.select(o).order_by(o.c.number.desc()).limit(50)).all()


# -- bulk seeding ---------------------------------------------------------------------------


def seed(engine: sa.Engine, tables: Tables, count: int, batch: int = 20_000) -> None:
    """Insert *count* paid orders in every status, a line and two timeline entries each, in bulk."""
    now = utcnow()
    statuses = ["processing", "shipped", "delivered", "cancelled", "shipped", "delivered"]
    with engine.connect() as conn:
        first = (conn.scalar(sa.select(sa.func.max(tables.orders.c.number))) or 0) + 1
    for start in range(0, count, batch):
        orders, lines, entries, terms = [], [], [], []
        for index in range(start, min(start + batch, count)):
            order_id = uuid.uuid4().hex
            at = now - timedelta(seconds=count - index)
            name, email = f"Customer {index}", f"c{index}@example.com"
            terms.extend({"term": term, "number": first + index} for term in terms_of(name, email))
            orders.append(
                {
                    "number": first + index,
                    "id": order_id,
                    "idempotency_key": None,
                    "version": 2,
                    "status": statuses[index % 6],
                    "payment_status": "paid",
                    "customer_name": name,
                    "customer_email": email,
                    "ship_line1": "1 Road",
                    "ship_line2": "",
                    "ship_city": "London",
                    "ship_region": "",
                    "ship_postal_code": "N1",
                    "ship_country": "GB",
                    "currency": "USD",
                    "subtotal": 2500,
                    "shipping": 500,
                    "discount": 0,
                    "total": 3000,
                    "refunded": 0,
                    "coupon_code": None,
                    "customer_note": "",
                    "created_at": at,
                    "updated_at": at,
                    "paid_at": at,
                    **(
                        {"tracking_number": f"1Z{index:016d}", "carrier": "ups", "shipped_at": at}
                        if statuses[index % 6] in {"shipped", "delivered"}
                        else {"tracking_number": None, "carrier": None, "shipped_at": None}
                    ),
                }
            )
            lines.append(
                {
                    "order_id": order_id,
                    "position": 0,
                    "sku": "TEE",
                    "name": "Tee",
                    "variant": "",
                    "quantity": 1,
                    "unit_price": 2500,
                    "total": 2500,
                }
            )
            entries.append(
                {
                    "order_id": order_id,
                    "at": at,
                    "kind": "placed",
                    "actor": None,
                    "message": "Order placed",
                    "data": {},
                }
            )
            entries.append(
                {
                    "order_id": order_id,
                    "at": at,
                    "kind": "payment_confirmed",
                    "actor": None,
                    "message": "Payment confirmed",
                    "data": {},
                }
            )
        with engine.begin() as conn:
            conn.execute(sa.insert(tables.orders), orders)
            conn.execute(sa.insert(tables.lines), lines)
            conn.execute(sa.insert(tables.timeline), entries)
            conn.execute(sa.insert(tables.search_terms), terms)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # The numbers were given explicitly: move the sequence past them.
            table = tables.orders.name
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'number'), MAX(number)) FROM {table}"
            )
            conn.exec_driver_sql("ANALYZE")


def export_run(url: str, fmt: str) -> tuple[float, int]:
    """Run ``kasify-orders orders export`` in a fresh process: seconds taken and peak RSS (MB)."""
    script = (
        "import sys\n"
        "from kasify_orders.cli import main\n"
        "url, fmt, out = sys.argv[1:]\n"
        "try:\n"
        "    main(['--url', url, 'orders', 'export', '--format', fmt, '--output', out, '--quiet'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))\n"
    )
    with tempfile.TemporaryDirectory() as directory:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", script, url, fmt, f"{directory}/out.{fmt}"],
            capture_output=True,
            text=True,
            check=True,
        )
        seconds = time.perf_counter() - start
    return seconds, int(done.stdout.strip().splitlines()[-1]) // 1024


# -- the run --------------------------------------------------------------------------------


def bench(kind: str, ops: int, big: int) -> list[tuple[str, str, str, str, str]]:
    rows = []
    with database(kind) as url:
        orders = ko.Orders.connect(url, load_entrypoints=False, migrate=True)
        baseline = Baseline(orders.store.engine, orders.store.tables)
        counter = StatementCounter(orders.store.engine)
        orders.inventory.set_stock("TEE-RED-M", 10**9)

        ids: list[str] = []
        for _ in range(20):  # warm up both
            orders.place(CART)
            baseline.place(0)
        baseline.ids.clear()

        def row(action: str, measured: tuple[float, float, float, float]) -> tuple[str, str, str, str, str]:
            ours, base, ratio, statements = measured
            return (kind, action, f"{ours:,.0f}", f"{base:,.0f}", f"{ratio:.2f}x ({statements:.1f} stmts)")

        rows.append(
            row("place", compare(lambda _i: ids.append(orders.place(CART).id), baseline.place, ops, counter))
        )

        def confirm_and_ship(index: int) -> None:
            orders.confirm_payment(ids[index])
            orders.mark_shipped(ids[index], tracking_number="1Z999AA10123456784", carrier="ups")

        rows.append(row("confirm+ship", compare(confirm_and_ship, baseline.confirm_and_ship, ops, counter)))

        def refund(index: int) -> None:
            orders.refund(ids[index], Decimal("1.00"))

        rows.append(row("refund", compare(refund, baseline.refund, ops, counter)))

        (ours_p50, ours_p95), (base_p50, base_p95) = latencies(
            lambda: orders.list(limit=50), baseline.list_page, ops
        )
        rows.append(
            (
                kind,
                "list p50/p95 ms",
                f"{ours_p50:.2f}/{ours_p95:.2f}",
                f"{base_p50:.2f}/{base_p95:.2f}",
                f"p95 {ours_p95 / base_p95:.2f}x",
            )
        )

        if big and kind in {"sqlite", "postgresql"}:
            start = time.perf_counter()
            seed(orders.store.engine, orders.store.tables, big)
            seeded = time.perf_counter() - start
            page = orders.list(limit=50)
            deep = orders.list(limit=50, cursor=str(big // 2))
            for label, call, runs in (
                ("list, newest", lambda: orders.list(limit=50), 200),
                ("list, deep page", lambda: orders.list(limit=50, cursor=str(big // 2)), 200),
                ("list, status tab", lambda: orders.list(limit=50, status="shipped"), 200),
                ("list, search email", lambda: orders.list(limit=50, search=f"c{big - 7}@example.com"), 200),
                ("list, search name", lambda: orders.list(limit=50, search=f"Customer {big - 7}"), 200),
                # A word every order has: the index finds a million, the page wants 50.
                ("list, search common word", lambda: orders.list(limit=50, search="customer"), 50),
            ):
                p50, p95 = percentiles(call, runs)
                rows.append((kind, f"{label} @{big:,} p50/p95 ms", f"{p50:.2f}/{p95:.2f}", "", ""))
            assert len(page.items) == len(deep.items) == 50
            rows.append((kind, f"seeded {big:,} orders", f"{seeded:.0f} s", "", ""))
            for fmt in ("csv", "jsonl"):
                seconds, peak = export_run(url, fmt)
                rows.append(
                    (kind, f"export {fmt} {big:,} orders", f"{seconds:.0f} s, {peak} MB peak RSS", "", "")
                )
        orders.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ops", type=int, default=300, help="operations per measurement (default 300)")
    parser.add_argument("--big", type=int, default=0, help="also seed this many orders and time list pages")
    parser.add_argument(
        "--db", action="append", choices=["sqlite", "postgresql", "mysql"], help="databases (default all)"
    )
    parser.add_argument(
        "--emails",
        type=int,
        default=100,
        help="orders (2 emails each) per emails measurement; 0 skips (default 100)",
    )
    parser.add_argument(
        "--email-repeats", type=int, default=3, help="runs per emails row, the median shown (default 3)"
    )
    parser.add_argument("--skip-actions", action="store_true", help="only the emails section")
    listpage.add_arguments(parser)
    args = parser.parse_args()
    from tests.benchmarks.emails import emails, slow_server

    if args.list_page or args.export:
        listpage.main(args, database)
        return
    rows = [("database", "action", "kasify ops/s", "baseline ops/s", "ratio")]
    for kind in args.db or ["sqlite", "postgresql", "mysql"]:
        if not args.skip_actions:
            rows.extend(bench(kind, args.ops, args.big))
        if args.emails:
            rows.extend(emails(kind, args.emails, args.email_repeats))
            rows.extend(slow_server(kind))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            print("  ".join("-" * width for width in widths))


if __name__ == "__main__":
    main()
