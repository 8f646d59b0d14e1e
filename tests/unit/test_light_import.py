"""``import kasify_orders`` and the pytest plugin stay light; the heavy parts load when used.

Each check runs in a fresh interpreter, since this test session has long imported everything:
the child reports what sits in ``sys.modules``. What is checked is which libraries load, never
how long they take (timings are measured by hand, see docs/architecture.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

#: The libraries a bare ``import kasify_orders`` must not load: a store, a migration, a
#: template or an email address check brings each in when it is first needed.
HEAVY = ["alembic", "email_validator", "jinja2", "sqlalchemy"]

LOADED = f"""
import json, sys
print(json.dumps(sorted(name for name in {HEAVY!r} if name in sys.modules)))
"""


def run(code: str, *, cwd: Path | None = None, env: dict[str, str] | None = None) -> list[str]:
    """Run *code* in a new interpreter; return the heavy libraries it had loaded at the end."""
    done = subprocess.run(
        [sys.executable, "-c", code + LOADED],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_importing_kasify_orders_and_its_types_loads_no_heavy_library() -> None:
    code = """
import kasify_orders as ko

settings = ko.Settings(store_name="Shop", new_order_alert_emails=["orders@shop.example"])
assert ko.Status("processing") is ko.Status.PROCESSING
assert issubclass(ko.ValidationError, ko.KasifyError) and callable(ko.hookimpl)
assert ko.Order and ko.NewOrder and ko.NewLine and ko.Customer and ko.Address and ko.Coupon
"""
    assert run(code) == []


def test_loading_the_pytest_plugin_loads_no_heavy_library(tmp_path: Path) -> None:
    # A host's test run: only our plugin (no other installed plugin muddles sys.modules), and a
    # test that asks for the fixture, collected but not run; --fixtures proves the plugin is on.
    (tmp_path / "test_shop.py").write_text("def test_checkout(kasify_orders):\n    pass\n", encoding="utf-8")
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    code = """
import pytest
args = ["-q", "-p", "no:cacheprovider", "-p", "kasify_orders.testing"]
assert pytest.main(["--collect-only", *args]) == 0
assert pytest.main(["--fixtures", *args]) == 0
"""
    done = subprocess.run(
        [sys.executable, "-c", code + LOADED],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr + done.stdout
    assert "test_shop.py::test_checkout" in done.stdout
    assert "kasify_orders -- " in done.stdout  # the fixture is listed, from our plugin
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_the_plugins_fixture_still_gives_a_working_store(tmp_path: Path) -> None:
    (tmp_path / "test_shop.py").write_text(
        "import sys\n\n"
        "def test_checkout(kasify_orders):\n"
        "    assert kasify_orders.count() == 0\n"
        "    assert 'sqlalchemy' in sys.modules\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    code = """
import pytest
assert pytest.main(["-q", "-p", "no:cacheprovider", "-p", "kasify_orders.testing"]) == 0
"""
    assert "sqlalchemy" in run(code, cwd=tmp_path, env=env)


def test_the_lazy_parts_load_and_work_when_used(tmp_path: Path) -> None:
    database = tmp_path / "shop.sqlite3"
    code = f"""
import sys
from decimal import Decimal

import kasify_orders as ko

assert "Orders" in dir(ko) and "structure" in dir(ko)
try:
    ko.no_such_name
except AttributeError as error:
    assert "no_such_name" in str(error)
else:
    raise AssertionError("an unknown name must raise AttributeError")

# An email address check loads email_validator, and only that.
try:
    ko.structure({{"customer": {{"name": "Ada", "email": "not an address"}}}}, ko.NewOrder)
except ko.ValidationError as error:
    assert "customer.email" in str(error), error
else:
    raise AssertionError("a bad address must be refused")
assert "email_validator" in sys.modules and "sqlalchemy" not in sys.modules

# A store: SQLAlchemy and the migrations; placing an order renders its emails (jinja2).
sent = []

class Outbox:
    @ko.hookimpl
    def kasify_send_email(self, message):
        sent.append(message)
        return True

from kasify_orders.service import Orders
assert ko.Orders is Orders
settings = ko.Settings(store_name="Light shop", new_order_alert_emails=["staff@shop.example"])
url = {f"sqlite:///{database}"!r}
with ko.Orders.connect(url, settings=settings, plugins=[Outbox()], load_entrypoints=False) as orders:
    order = orders.place(ko.NewOrder(
        customer=ko.Customer(name="Ada Lovelace", email="Ada@Example.COM"),
        shipping_address=ko.Address(line1="1 Sq", city="London", postal_code="SW1Y 4JH", country="GB"),
        lines=[ko.NewLine(sku="TEE", name="T-shirt", quantity=1, unit_price=Decimal("25.00"))],
        currency="GBP",
    ))
    assert orders.get(order.id).customer.email == "ada@example.com"
recipients = sorted(str(message["To"]) for message in sent)
assert recipients == ["Ada Lovelace <ada@example.com>", "staff@shop.example"], recipients
assert all("Light shop" in message.get_body(("plain",)).get_content() for message in sent)
"""
    assert run(code) == HEAVY
