"""The merchant's pages against the JSON API at a million orders, and the CSV export's speed and memory.

``--list-page``: p50/p95 of the HTML list page (50 rows, status tab counts, "Needs attention")
against the API's list with the same query — the newest orders, a filtered list (country, status
tab, a range of days) and the sort by total, highest first — and of the order page against the
API's ``get``, each pair timed alternately through a Flask host's test client, so a busy machine
slows both alike; the table gives each ratio beside the 1.5x limit. ``--export``:
``kasify-orders orders export`` of every order in a process of its own, its orders/s and peak
RSS (``resource.getrusage``) against 20k/s and 100 MB. Each figure is the median of ``--repeats`` runs.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import kasify_orders as ko
from tests.benchmarks.bulk import seed_bulk

Row = tuple[str, str, str, str, str]
PAGE_LIMIT = 1.5
EXPORT_RATE = 20_000
EXPORT_RSS_MB = 100


def _client(orders: ko.Orders, *, keep: bool = True) -> object:
    """A Flask host's test client; *keep*: False keeps no order page, so each is a first view."""
    import flask

    from kasify_orders.adapters.flask import KasifyOrders
    from kasify_orders.web.page_reuse import ShownPages

    app = flask.Flask("bench")
    app.config.update(SECRET_KEY="bench", TESTING=True)
    KasifyOrders(app, orders=orders).authorize(lambda action, order: True)
    if not keep:
        app.extensions["kasify_orders"].pages.shown = ShownPages(size=0)
    return app.test_client()


def _pair(
    first: Callable[[int], object], second: Callable[[int], object], runs: int
) -> tuple[list[float], ...]:
    """Time *first* and *second* alternately, *runs* times each (ms), after a warm-up."""
    for index in range(10):
        first(index)
        second(index)
    a, b = [], []
    for index in range(runs):
        for call, into in ((first, a), (second, b)) if index % 2 else ((second, b), (first, a)):
            start = time.perf_counter()
            call(index)
            into.append((time.perf_counter() - start) * 1000)
    return a, b


def _p50_p95(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def list_queries(orders: ko.Orders) -> dict[str, str]:
    """The list queries timed besides the newest page: a filtered list and the sort by total.

    The filter is Germany and the "Shipped" tab over the middle half of the days the orders
    were placed on (whole days, as the merchant writes them), so it selects a few percent of
    the orders at any size and both ends of the range are inside the data.
    """
    oldest = orders.list(limit=1, sort="date_asc").items[0].created_at
    newest = orders.list(limit=1).items[0].created_at
    span = newest - oldest
    placed_from, placed_to = (oldest + span / 4).date(), (oldest + span * 3 / 4).date()
    return {
        "filtered (DE, shipped, placed range)": urlencode(
            {
                "status": "shipped",
                "country": "DE",
                "placed_from": placed_from.isoformat(),
                "placed_to": placed_to.isoformat(),
            }
        ),
        "sorted (total, highest first)": urlencode({"sort": "total_desc"}),
    }


def _same_orders(get: Callable[[str], Any], query: str) -> None:
    """The page and the API list the same orders, in the same order, for *query* (checked, not timed)."""
    page, api = (get(url) for url in _list_urls(query))
    assert page.status_code == api.status_code == 200, (query, page.status_code, api.status_code)
    shown = re.findall(r'name="order" value="([^"]+)"', page.get_data(as_text=True))
    listed = [item["id"] for item in api.get_json()["items"]]
    assert listed and shown == listed, (query, len(shown), len(listed))


def _list_urls(query: str) -> tuple[str, str]:
    """The list page's URL and the API list's (50 orders, as the page shows) for *query*."""
    if not query:
        return "/admin/orders/", "/api/orders?limit=50"
    return f"/admin/orders/?{query}", f"/api/orders?limit=50&{query}"


def pages(orders: ko.Orders, kind: str, runs: int, repeats: int) -> list[Row]:
    """Page against API: the list (newest; filtered; sorted by total; 50 rows) and an order's page
    against ``get``, kept (shown again: ``web/page_reuse.py``) and at its first view. Each list
    pair asks the same query of both sides (the page's filters are the API's parameters), and is
    checked to show the same orders before it is timed."""
    client: object = _client(orders)
    get = client.get  # type: ignore[attr-defined]
    newest = orders.list(limit=200).items
    ids = [order.id for order in newest]
    sample = random.Random(7).sample(ids, min(len(ids), 50))

    def ok(url: str) -> None:
        response = get(url)
        assert response.status_code == 200, (url, response.status_code)

    unkept = _client(orders, keep=False).get  # type: ignore[attr-defined]

    def first_view(url: str) -> None:
        response = unkept(url)
        assert response.status_code == 200, (url, response.status_code)

    def list_case(label: str, query: str) -> tuple[str, Callable[[int], None], Callable[[int], None]]:
        _same_orders(get, query)
        page, api = _list_urls(query)
        return label, lambda _i: ok(page), lambda _i: ok(api)

    cases = (
        list_case("list page vs API list", ""),
        *(list_case(f"list page vs API, {name}", query) for name, query in list_queries(orders).items()),
        (
            "detail page vs API get",
            lambda i: ok(f"/admin/orders/{sample[i % len(sample)]}"),
            lambda i: ok(f"/api/orders/{sample[i % len(sample)]}"),
        ),
        (  # each order's page as at its first view, or after a change: built and rendered
            "detail page, first view, vs API get",
            lambda i: first_view(f"/admin/orders/{sample[i % len(sample)]}"),
            lambda i: ok(f"/api/orders/{sample[i % len(sample)]}"),
        ),
    )
    rows = []
    total = orders.count()
    for label, page, api in cases:
        results = [_pair(page, api, runs) for _ in range(repeats)]
        page_p = [_p50_p95(p) for p, _ in results]
        api_p = [_p50_p95(a) for _, a in results]
        p50 = statistics.median(p[0] for p in page_p), statistics.median(a[0] for a in api_p)
        p95 = statistics.median(p[1] for p in page_p), statistics.median(a[1] for a in api_p)
        ratio = p95[0] / p95[1]
        rows.append(
            (
                kind,
                f"{label} @{total:,} p50/p95 ms",
                f"{p50[0]:.2f}/{p95[0]:.2f}",
                f"{p50[1]:.2f}/{p95[1]:.2f}",
                f"p95 {ratio:.2f}x (limit {PAGE_LIMIT}x) {'ok' if ratio <= PAGE_LIMIT else 'OVER'}",
            )
        )
    return rows


#: The export, in a process of its own: seconds taken.
_EXPORT = """\
import sys, time
from kasify_orders.cli import main
url, out = sys.argv[1:]
start = time.perf_counter()
try:
    main(['--url', url, 'orders', 'export', '--format', 'csv', '--output', out, '--quiet'])
except SystemExit as done:
    assert not done.code, done.code
print(time.perf_counter() - start)
"""
#: Starts the export from a small process and reports its peak RSS (KB) from ``getrusage``: Linux
#: carries a process's ``ru_maxrss`` over from the process that started it, so that one is kept small.
_LAUNCH = """\
import resource, subprocess, sys
done = subprocess.run([sys.executable, "-c", *sys.argv[1:]], capture_output=True, text=True, check=True)
print(done.stdout.split()[-1], resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def export(url: str, kind: str, count: int, repeats: int, code: Path) -> list[Row]:
    """``kasify-orders orders export --format csv`` of every order, in a fresh process per run."""
    runs = []
    with tempfile.TemporaryDirectory() as directory:
        for _ in range(repeats):
            done = subprocess.run(
                [sys.executable, "-c", _LAUNCH, _EXPORT, url, f"{directory}/out.csv"],
                capture_output=True,
                text=True,
                check=True,
                env={"PYTHONPATH": str(code), "PATH": "/usr/bin:/bin"},
            )
            seconds, rss_kb = done.stdout.split()[-2:]
            with Path(f"{directory}/out.csv").open(encoding="utf-8") as written:
                lines = sum(1 for _ in written) - 1
            assert lines == count, (lines, count)
            runs.append((float(seconds), int(rss_kb) / 1024))
    rate = statistics.median(count / seconds for seconds, _ in runs)
    rss = statistics.median(mb for _, mb in runs)
    return [
        (
            kind,
            f"export csv {count:,} orders/s",
            f"{rate:,.0f}",
            f"{EXPORT_RATE:,}",
            f"{rate / EXPORT_RATE:.2f}x of the floor {'ok' if rate >= EXPORT_RATE else 'UNDER'}",
        ),
        (
            kind,
            "export csv peak RSS MB",
            f"{rss:.0f}",
            f"{EXPORT_RSS_MB}",
            f"{rss / EXPORT_RSS_MB:.2f}x of the ceiling {'ok' if rss < EXPORT_RSS_MB else 'OVER'}",
        ),
    ]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of this section of ``run.py``."""
    group = parser.add_argument_group("list page and export (issue 17 items 3 and 4)")
    group.add_argument(
        "--list-page", action="store_true", help="time the list and order pages against the API"
    )
    group.add_argument("--export", action="store_true", help="time the CSV export of every order")
    group.add_argument("--orders", type=int, default=1_000_000, help="orders to seed (default 1,000,000)")
    group.add_argument("--runs", type=int, default=200, help="requests per page per repeat (default 200)")
    group.add_argument("--repeats", type=int, default=3, help="repeats; medians are reported (default 3)")
    group.add_argument("--url", help="a database seeded before (seeded up to --orders if it holds fewer)")


def main(args: argparse.Namespace, database: Callable[[str], AbstractContextManager[str]]) -> None:
    """Seed (or reuse ``--url``), measure, print the table."""
    rows: list[Row] = [("database", "measure", "kasify", "API / limit", "ratio")]
    for kind in args.db or ["sqlite", "postgresql"]:
        with nullcontext(args.url) if args.url else database(kind) as url:
            orders = ko.Orders.connect(url, load_entrypoints=False, migrate=not args.url)
            have = orders.count()
            if have < args.orders:
                start = time.perf_counter()
                seed_bulk(orders, args.orders - have)
                rows.append(
                    (
                        kind,
                        f"seeded {args.orders - have:,} orders (s)",
                        f"{time.perf_counter() - start:.0f}",
                        "",
                        "",
                    )
                )
            if args.list_page:
                rows.extend(pages(orders, kind, args.runs, args.repeats))
            if args.export:
                code = Path(ko.__file__).parents[1]
                rows.extend(export(url, kind, orders.count(), args.repeats, code))
            orders.close()
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)), flush=True)
        if index == 0:
            print("  ".join("-" * width for width in widths))
