"""What the kasify-orders command says when it cannot work: one line on stderr, exit 1, no traceback."""

import csv
import importlib.metadata
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import kasify_orders as ko
from kasify_orders.cli import main
from kasify_orders.storage import migrate
from tests.helpers import new_order

#: Email settings, so the start-up warning about emails does not join the one line under test.
MAIL_ENV = {
    "KASIFY_ORDERS_SMTP_URL": "smtp://127.0.0.1:25",
    "KASIFY_ORDERS_FROM_EMAIL": "orders@shop.example",
}
UNREACHABLE = "postgresql+psycopg://kasify:s3cret@127.0.0.1:1/shop"


def invoke(*args: str) -> Result:
    return CliRunner(env=MAIL_ENV).invoke(main, list(args), catch_exceptions=False)


def one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


@pytest.fixture
def shop(tmp_path: Path) -> str:
    """A migrated SQLite store with two orders."""
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    with ko.Orders.connect(url, load_entrypoints=False) as orders:
        for i in range(2):
            orders.place(new_order(email=f"c{i}@example.com"))
    return url


def _installed(distribution: str) -> bool:
    try:
        importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def test_an_unreachable_database_is_one_line_naming_it_without_its_password() -> None:
    line = one_line_error(invoke("--url", UNREACHABLE, "orders", "list"))
    assert "127.0.0.1:1/shop" in line and "Connection refused" in line
    assert "s3cret" not in line


@pytest.mark.skipif(_installed("mysqlclient"), reason="mysqlclient is installed")
def test_a_missing_driver_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    # The Django tests let PyMySQL stand in for MySQLdb in this process (install_as_MySQLdb).
    monkeypatch.delitem(sys.modules, "MySQLdb", raising=False)
    line = one_line_error(invoke("--url", "mysql+mysqldb://root@127.0.0.1/shop", "outbox", "status"))
    assert "pip install mysqlclient" in line


def test_an_unknown_or_malformed_url_is_one_line() -> None:
    assert "postgress" in one_line_error(invoke("--url", "postgress://db/shop", "orders", "list"))
    assert "Could not parse" in one_line_error(invoke("--url", "not a url", "orders", "list"))


@pytest.mark.parametrize(
    "command", [["orders", "list"], ["orders", "show", "1"], ["outbox", "status"], ["db", "current"]]
)
def test_a_mistyped_sqlite_path_is_refused_not_created(tmp_path: Path, command: list[str]) -> None:
    typo = tmp_path / "shpo.sqlite3"
    line = one_line_error(invoke("--url", f"sqlite:///{typo}", *command))
    assert f"no SQLite database at {typo}" in line and "db upgrade" in line
    assert not typo.exists()
    missing_dir = tmp_path / "nonexistent" / "dir" / "x.sqlite3"
    assert "no SQLite database" in one_line_error(invoke("--url", f"sqlite:///{missing_dir}", *command))


def test_check_reports_an_unreachable_database_in_one_line_without_its_password() -> None:
    result = CliRunner().invoke(main, ["check", "--url", UNREACHABLE])  # no SMTP to fail too
    assert result.exit_code == 1
    (failure,) = [line for line in result.output.splitlines() if line.startswith("FAIL")]
    assert "127.0.0.1:1/shop" in failure and "Connection refused" in failure
    assert "s3cret" not in result.output and "Traceback" not in result.output


def test_check_reports_a_mistyped_sqlite_path_as_a_failure(tmp_path: Path) -> None:
    typo = tmp_path / "shpo.sqlite3"
    result = invoke("check", "--url", f"sqlite:///{typo}")
    assert result.exit_code == 1
    assert f"FAIL connect: sqlite:///{typo}: no SQLite database at {typo}" in result.output
    assert not typo.exists()


def test_db_upgrade_creates_a_new_sqlite_file(tmp_path: Path) -> None:
    new = tmp_path / "new.sqlite3"
    result = invoke("--url", f"sqlite:///{new}", "db", "upgrade")
    assert result.exit_code == 0 and f"revision {migrate.head()}" in result.output
    assert "(up to date)" in invoke("--url", f"sqlite:///{new}", "db", "current").output


def test_a_table_missing_from_the_database_says_to_migrate(tmp_path: Path) -> None:
    (tmp_path / "empty.sqlite3").touch()
    line = one_line_error(invoke("--url", f"sqlite:///{tmp_path / 'empty.sqlite3'}", "orders", "list"))
    assert "table kasify_orders does not exist" in line and "db upgrade" in line


def test_an_output_path_that_cannot_be_written_is_one_line(shop: str, tmp_path: Path) -> None:
    out = tmp_path / "no" / "such" / "dir" / "orders.csv"
    line = one_line_error(invoke("--url", shop, "orders", "export", "--output", str(out), "--quiet"))
    assert f"cannot write --output {out}: No such file or directory" in line
    assert not out.parent.exists()


def test_output_dash_writes_the_export_to_stdout(shop: str) -> None:
    result = invoke("--url", shop, "orders", "export", "--output", "-", "--quiet")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert [row["customer_email"] for row in rows] == ["c0@example.com", "c1@example.com"]
    assert "Wrote 2 orders to standard output" in result.stderr


def test_url_is_accepted_after_the_subcommand(shop: str, tmp_path: Path) -> None:
    listed = invoke("orders", "list", "--url", shop)
    assert listed.exit_code == 0 and "c1@example.com" in listed.output
    status = invoke("outbox", "status", "--url", shop)
    assert status.exit_code == 0 and "waiting" in status.output
    checked = CliRunner().invoke(main, ["check", "--url", shop])  # no SMTP server to reach
    assert checked.exit_code == 0 and "ok   schema: at" in checked.output
    new = tmp_path / "after.sqlite3"
    assert invoke("db", "upgrade", "--url", f"sqlite:///{new}").exit_code == 0
    # After the subcommand wins over before it.
    typo = f"sqlite:///{tmp_path / 'typo.sqlite3'}"
    wrong_then_right = invoke("--url", typo, "orders", "list", "--url", shop)
    assert wrong_then_right.exit_code == 0 and "c0@example.com" in wrong_then_right.output


@pytest.mark.parametrize(
    "args",
    [
        ["--url", UNREACHABLE, "orders", "list"],
        ["--url", "postgress://db/shop", "outbox", "status"],
        ["orders", "export", "--output", "/nonexistent/dir/orders.csv"],
        ["--url", "sqlite:////nonexistent/dir/x.sqlite3", "orders", "list"],
        ["--url", "mysql+mysqldb://root@127.0.0.1/shop", "orders", "list"],
    ],
    ids=["unreachable", "unknown-dialect", "bad-output", "mistyped-sqlite", "missing-driver"],
)
def test_no_traceback_in_a_real_process(args: list[str], shop: str) -> None:
    env = {**os.environ, **MAIL_ENV, "KASIFY_ORDERS_DATABASE_URL": shop}
    done = subprocess.run(
        [sys.executable, "-c", "from kasify_orders.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith("Error: "), done.stderr
