"""The outbox across processes: what one process delivered, another never delivers again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import kasify_orders as ko
from tests.helpers import wipe
from tests.integration.outbox_process import event_plugin_names

ROOT = Path(__file__).parents[2]


def run(url: str, step: str, log: Path) -> str:
    """Run one step in a process of its own, as a web worker or a delivery worker would."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    done = subprocess.run(
        [sys.executable, "-m", "tests.integration.outbox_process", url, step, str(log)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_retry_in_another_process_calls_only_the_plugins_that_failed(
    database_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "calls.log"
    try:
        order_id = run(database_url, "place", log)  # process A: the ERP webhook fails, A exits
        with ko.Orders.connect(database_url, load_entrypoints=False, migrate=False) as orders:
            (waiting,) = orders.store.outbox_items()
            assert waiting.order_id == order_id
        event = waiting.id
        assert log.read_text().splitlines() == [f"erp {event} failed", f"crm {event}", f"audit {event}"]

        assert run(database_url, "retry", log) == "1"  # process B: a worker, a restart
        calls = log.read_text().splitlines()
        assert calls == [f"erp {event} failed", f"crm {event}", f"audit {event}", f"erp {event}"]
    finally:
        wipe(database_url)


def test_every_event_plugin_kasify_registers_has_the_same_name_in_every_process(tmp_path: Path) -> None:
    """kasify's own event plugins (emails, Saleor's write-back) and the host's are recognised on retry."""
    pytest.importorskip("flask_mailman")
    pytest.importorskip("kasify_orders.adapters.saleor")
    url = f"sqlite:///{tmp_path / 'names.sqlite3'}"
    ko.Orders.connect(url, load_entrypoints=False).close()  # the schema
    here = event_plugin_names(url)
    assert "kasify_orders.emails.notifier" in here and "tests.helpers.Recorder#2" in here
    assert run(url, "names", tmp_path / "unused.log").splitlines() == here
