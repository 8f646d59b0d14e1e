"""One process of ``test_outbox_processes.py``: place an order, or retry the outbox, then exit.

``python -m tests.integration.outbox_process <database url> <place|retry> <log file>``

Its plugins append one line per call to the log file, so the test sees every call made by
every process. ``place`` runs with the ERP webhook failing; ``retry`` with it working again.
``names`` prints the names of the event-hook plugins of a shop wired with every adapter.
"""

from __future__ import annotations

import sys
from pathlib import Path

import kasify_orders as ko
from tests.helpers import Recorder, new_order


class Audit:
    """An unnamed plugin that always succeeds."""

    def __init__(self, log: Path) -> None:
        self.log = log

    @ko.hookimpl
    def kasify_order_placed(self, order: ko.Order, event_id: str) -> None:
        with self.log.open("a") as log:
            log.write(f"audit {event_id}\n")


class Webhook:
    """An unnamed plugin registered twice (two systems), which may fail."""

    def __init__(self, log: Path, target: str, *, fail: bool) -> None:
        self.log = log
        self.target = target
        self.fail = fail

    @ko.hookimpl
    def kasify_order_placed(self, order: ko.Order, event_id: str) -> None:
        with self.log.open("a") as log:
            log.write(f"{self.target} {event_id}{' failed' if self.fail else ''}\n")
        if self.fail:
            raise ConnectionError(f"{self.target} is down")


def event_plugin_names(url: str) -> list[str]:
    """The names under which a shop's event hooks run: kasify's emails, Saleor's write-back, a host's."""
    import flask
    import flask_mailman

    from kasify_orders.adapters.flask import KasifyOrders
    from kasify_orders.adapters.saleor import SaleorApp

    settings = ko.Settings(smtp_url="smtp://127.0.0.1:25", manage_inventory=False)
    plugins = [Recorder(), Recorder()]  # a host's plugins (defined outside __main__)
    orders = ko.Orders.connect(url, settings=settings, plugins=plugins, load_entrypoints=False, migrate=False)
    app = flask.Flask("shop")
    flask_mailman.Mail(app)
    KasifyOrders(app, orders=orders)
    SaleorApp(orders, allowed_api_urls=["https://shop.saleor.cloud/graphql/"])
    names = set()
    for hook in orders.plugins.hook.__dict__.values():
        if "event_id" in hook.spec.argnames:
            names.update(impl.plugin_name for impl in hook.get_hookimpls())
    orders.close()
    return sorted(names)


def main(url: str, step: str, log_path: str) -> None:
    if step == "names":
        print("\n".join(event_plugin_names(url)))
        return
    log = Path(log_path)
    plugins = [Audit(log), Webhook(log, "crm", fail=False), Webhook(log, "erp", fail=step == "place")]
    with ko.Orders.connect(url, plugins=plugins, load_entrypoints=False, migrate=False) as orders:
        if step == "place":
            order = orders.place(new_order())
            print(order.id)
        else:
            print(orders.deliver_pending(retry_now=True))


if __name__ == "__main__":
    main(*sys.argv[1:])
