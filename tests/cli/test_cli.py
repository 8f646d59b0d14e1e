"""The kasify-orders command, on every database: what an operator types and reads."""

import csv
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import kasify_orders as ko
from kasify_orders.cli import main
from kasify_orders.storage import migrate
from tests.helpers import new_order, place_like_an_older_version
from tests.integration.notifications.conftest import SmtpServer


def run(url: str, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, ["--url", url, *args], input=input, catch_exceptions=False)


def test_help_everywhere() -> None:
    for command in (
        [],
        ["db"],
        ["orders"],
        ["orders", "export"],
        ["outbox"],
        ["outbox", "run"],
        ["check"],
        ["demo"],
    ):
        result = CliRunner().invoke(main, [*command, "--help"])
        assert result.exit_code == 0, command
        assert "Usage:" in result.output


def test_db_commands(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    (tmp_path / "cli.sqlite3").touch()  # an empty file is an empty database
    assert "empty (behind" in run(url, "db", "current").output
    upgraded = run(url, "db", "upgrade")
    assert upgraded.exit_code == 0 and f"revision {migrate.head()}" in upgraded.output
    assert "(up to date)" in run(url, "db", "current").output
    refused = run(url, "db", "downgrade", "base", input="n\n")
    assert refused.exit_code == 1
    assert "(up to date)" in run(url, "db", "current").output
    down = run(url, "db", "downgrade", "base", "--yes")
    assert down.exit_code == 0 and "revision empty" in down.output
    assert "behind" in run(url, "db", "current").output


def test_orders_commands(orders: ko.Orders, database_url: str) -> None:
    placed = orders.place(new_order(name="Ada Lovelace", note="Gift wrap please"))
    orders.confirm_payment(placed.id)
    listed = run(database_url, "orders", "list")
    assert listed.exit_code == 0
    assert (
        f"#{placed.number}" in listed.output
        and "Ada Lovelace" in listed.output
        and "Processing" in listed.output
    )
    shipped = run(
        database_url,
        "orders",
        "ship",
        str(placed.number),
        "--tracking-number",
        "1Z999AA10123456784",
        "--carrier",
        "UPS",
    )
    assert shipped.exit_code == 0, shipped.output
    refunded = run(
        database_url, "orders", "refund", str(placed.number), "--amount", "10.00", "--note", "strap"
    )
    assert refunded.exit_code == 0 and "45.00 left" in refunded.output
    too_much = run(database_url, "orders", "refund", str(placed.number), "--amount", "100")
    assert too_much.exit_code == 1 and "refundable balance is 45.00 USD" in too_much.output
    shown = run(database_url, "orders", "show", str(placed.number))
    assert "Gift wrap please" in shown.output and "1Z999AA10123456784" in shown.output
    assert "Refunded 10.00 USD — note: strap" in shown.output and "cli" in shown.output
    cancel = run(database_url, "orders", "cancel", str(placed.number))
    assert cancel.exit_code == 1 and "cannot cancel an order that is shipped" in cancel.output
    missing = run(database_url, "orders", "show", "999999")
    assert missing.exit_code == 1 and "no order 999999" in missing.output
    stored = orders.get(placed.id)
    assert stored.totals.refunded == Decimal("10.00") and stored.status is ko.Status.SHIPPED


def test_a_refund_repeated_with_its_printed_key_refunds_once(orders: ko.Orders, database_url: str) -> None:
    placed = orders.confirm_payment(orders.place(new_order()).id)
    first = run(database_url, "orders", "refund", str(placed.number), "--amount", "10.00")
    assert first.exit_code == 0, first.output
    key = re.search(r"Idempotency key: (cli-[0-9a-f]{32})", first.output)
    assert key is not None, first.output
    again = run(
        database_url, "orders", "refund", str(placed.number), "--amount", "10.00", "--idempotency-key", key[1]
    )
    assert again.exit_code == 0 and "45.00 left" in again.output
    stored = orders.get(placed.id)
    assert [r.idempotency_key for r in stored.refunds] == [key[1]]
    assert stored.totals.refunded == Decimal("10.00")


def test_cancel_with_refund_refunds_the_balance(orders: ko.Orders, database_url: str) -> None:
    placed = orders.confirm_payment(orders.place(new_order()).id)
    result = run(database_url, "orders", "cancel", str(placed.number), "--refund", "--reason", "asked")
    assert result.exit_code == 0, result.output
    assert f"Order #{placed.number} cancelled and 55.00 USD refunded" in result.output
    stored = orders.get(placed.id)
    assert stored.status is ko.Status.CANCELLED and stored.payment_status is ko.PaymentStatus.REFUNDED
    lone_key = run(database_url, "orders", "cancel", str(placed.number), "--idempotency-key", "k")
    assert lone_key.exit_code == 2 and "only with --refund" in lone_key.output


def test_export_csv_and_jsonl(orders: ko.Orders, database_url: str, tmp_path: Path) -> None:
    placed = [orders.place(new_order(email=f"c{i}@example.com")) for i in range(5)]
    orders.confirm_payment(placed[0].id)
    out = tmp_path / "orders.csv"
    result = run(database_url, "orders", "export", "--output", str(out), "--quiet")
    assert result.exit_code == 0 and "Wrote 5 orders" in result.output
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert [int(row["number"]) for row in rows] == [order.number for order in placed]
    assert rows[0]["payment_status"] == "paid" and rows[0]["total"] == "55.00"
    lines = tmp_path / "orders.jsonl"
    run(
        database_url,
        "orders",
        "export",
        "--format",
        "jsonl",
        "--output",
        str(lines),
        "--status",
        "processing",
        "--quiet",
    )
    (only,) = [json.loads(line) for line in lines.read_text().splitlines()]
    assert only["id"] == placed[0].id
    assert only["lines"][0]["sku"] == "TEE-RED-M"
    assert [entry["kind"] for entry in only["timeline"]] == ["placed", "payment_confirmed"]


def test_outbox_commands(database_url: str) -> None:
    from tests.helpers import wipe

    class Broken:
        @ko.hookimpl
        def kasify_order_placed(self, order: ko.Order) -> None:
            raise ConnectionError("webhook endpoint down")

    try:
        settings = ko.Settings(max_dispatch_attempts=1)
        with ko.Orders.connect(
            database_url, settings=settings, plugins=[Broken()], load_entrypoints=False
        ) as orders:
            orders.place(new_order())
        status = run(database_url, "outbox", "status")
        assert "0 waiting, 1 dead" in status.output and "webhook endpoint down" in status.output
        assert "1 dead events are due again" in run(database_url, "outbox", "retry-dead").output
        # This command's process has no plugin for the event, so delivering it completes it.
        assert "Delivered 1 events" in run(database_url, "outbox", "run").output
        assert "0 waiting, 0 dead" in run(database_url, "outbox", "status").output
    finally:
        wipe(database_url)


def test_check_reports_and_fails_on_problems(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'check.sqlite3'}"
    run(url, "db", "upgrade")
    good = run(url, "check")
    assert good.exit_code == 0 and "schema: at" in good.output
    run(url, "db", "downgrade", "base", "--yes")
    bad = run(url, "check")
    assert bad.exit_code == 1 and "db upgrade" in bad.output
    unreachable = CliRunner(env={"KASIFY_ORDERS_SMTP_URL": "smtp://127.0.0.1:9"}).invoke(
        main, ["--url", url, "check"]
    )
    assert unreachable.exit_code == 1 and "unreachable" in unreachable.output


def test_check_says_when_emails_cannot_be_sent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'check.sqlite3'}"
    run(url, "db", "upgrade")
    silent = run(url, "check")  # no smtp_url, the placeholder from address
    assert "WARN emails: kasify-orders sends no emails" in silent.output
    assert "no real from address ('orders@localhost')" in silent.output
    assert silent.exit_code == 0  # a warning: a shop may run without emails on purpose

    server = SmtpServer()
    server.start()
    try:
        env = {"KASIFY_ORDERS_SMTP_URL": server.url, "KASIFY_ORDERS_FROM_EMAIL": "orders@shop.example"}
        ready = CliRunner(env=env).invoke(main, ["--url", url, "check"], catch_exceptions=False)
    finally:
        server.stop()
    assert ready.exit_code == 0 and "WARN" not in ready.output
    assert "ok   emails: sent from orders@shop.example" in ready.output


def test_check_reports_orders_missing_from_the_search_index_and_rebuild_search_fixes_it(
    orders: ko.Orders, database_url: str
) -> None:
    orders.place(new_order(name="Ada Lovelace"))
    old = place_like_an_older_version(orders, new_order(name="Grace Hopper", email="grace@navy.example"))
    stale = run(database_url, "check")
    assert stale.exit_code == 1
    assert "1 orders are not indexed" in stale.output and "db rebuild-search" in stale.output
    assert orders.list(search="hopper").items == ()

    rebuilt = run(database_url, "db", "rebuild-search", "--missing-only")
    assert rebuilt.exit_code == 0 and "Indexed 1 orders" in rebuilt.output
    assert [o.number for o in orders.list(search="hopper").items] == [old.number]
    fresh = run(database_url, "check")
    assert fresh.exit_code == 0 and "every order is indexed" in fresh.output
    assert "Indexed 2 orders" in run(database_url, "db", "rebuild-search").output


def test_bad_settings_are_usage_errors(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["--url", f"sqlite:///{tmp_path / 'x.sqlite3'}", "--settings", "nope.module:S", "outbox", "status"],
    )
    assert result.exit_code == 2 and "cannot import 'nope.module:S'" in result.output


def test_export_streams_in_flat_memory(tmp_path: Path) -> None:
    """Exporting 20,000 whole orders in a fresh process stays well under 100 MB of RSS."""
    url = f"sqlite:///{tmp_path / 'big.sqlite3'}"
    with ko.Orders.connect(url, load_entrypoints=False) as orders:
        sys.path.insert(0, str(Path(__file__).parents[1]))
        from tests.benchmarks.run import seed

        seed(orders.store.engine, orders.store.tables, 20_000)
    out = tmp_path / "big.jsonl"
    script = tmp_path / "export.py"
    script.write_text(
        "import sys\n"
        "from kasify_orders.cli import main\n"
        "try:\n"
        "    main(['orders', 'export', '--format', 'jsonl', '--output', sys.argv[1], '--quiet'])\n"
        "except SystemExit as done:\n"
        "    assert done.code == 0, done.code\n"
        # VmHWM: this process's peak RSS (ru_maxrss would include the forking parent's).
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))\n"
    )
    env = {**os.environ, "KASIFY_ORDERS_DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, str(script), str(out)], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    peak_mb = int(done.stdout.strip().splitlines()[-1]) / 1024
    assert len(out.read_text().splitlines()) == 20_000
    assert peak_mb < 100, f"peak RSS {peak_mb:.0f} MB"


def test_saleor_installations_can_be_listed_uninstalled_and_pruned(
    orders: ko.Orders, database_url: str
) -> None:
    pytest.importorskip("werkzeug", reason="the saleor commands need the saleor extra")
    pytest.importorskip("joserfc", reason="the saleor commands need the saleor extra")
    from datetime import timedelta

    from kasify_orders.adapters.saleor import Installations
    from kasify_orders.model import utcnow

    installs = Installations(orders.store)
    api = "https://shop.example.com/graphql/"
    installs.save(api_url=api, domain="shop.example.com", app_id="QXBwOjE=", app_token="secret", jwks=None)
    installs.mark_seen("d" * 64, api_url=api, event="ORDER_CREATED")
    listed = run(database_url, "saleor", "installs")
    assert api in listed.output and "active" in listed.output
    assert "secret" not in listed.output
    assert "Forgot 0 processed webhooks" in run(database_url, "saleor", "prune").output
    assert installs.forget_seen_before(utcnow() + timedelta(days=1)) == 1
    assert "uninstalled" in run(database_url, "saleor", "uninstall", api).output
    installation = installs.get(api)
    assert installation is not None and not installation.active
    again = run(database_url, "saleor", "uninstall", api)
    assert again.exit_code == 1 and "not an active installation" in again.output


def test_an_amount_is_ascii_digits_with_one_decimal_point(sqlite_orders: ko.Orders) -> None:
    order = sqlite_orders.confirm_payment(sqlite_orders.place(new_order()).id)
    url = sqlite_orders.store.engine.url.render_as_string(hide_password=False)
    for typed in ("1_0", "\u0665", " 5", "1e1"):
        refused = CliRunner().invoke(
            main, ["--url", url, "orders", "refund", str(order.number), "--amount", typed]
        )
        assert refused.exit_code == 2, typed
        assert "digits with an optional decimal point, such as 12.50" in refused.output
    negative = run(url, "orders", "refund", str(order.number), "--amount", "-5")
    assert negative.exit_code == 1 and "must not be negative, got -5" in negative.output
    assert sqlite_orders.get(order.id).totals.refunded == 0
