"""Settings saved by the merchant: stored with an audit trail, used by the next email, on every database."""

from __future__ import annotations

import itertools
import threading

import pytest
import sqlalchemy as sa

import kasify_orders as ko
from kasify_orders.notifications.mail_check import send_test_email
from tests.helpers import new_order
from tests.integration.notifications.conftest import ALERT, Connect, SmtpServer, shop_settings


def test_a_saved_alert_address_is_where_the_next_order_alert_goes(connect: Connect, smtp: SmtpServer) -> None:
    shop = connect(shop_settings(smtp.url))
    shop.place(new_order())
    assert [r.to for r in smtp.inbox.to(ALERT)] == [ALERT]
    shop.merchant_settings.save({"new_order_alert_emails": "owner@shop.example"}, actor="staff:ada")
    shop.place(new_order())
    assert len(smtp.inbox.to(ALERT)) == 1  # not again
    (alert,) = smtp.inbox.to("owner@shop.example")
    assert alert.message["Subject"].startswith("New order")


def test_a_value_saved_by_another_process_is_used_without_a_restart(
    connect: Connect, smtp: SmtpServer
) -> None:
    worker = connect(shop_settings(smtp.url))
    web = connect(shop_settings(smtp.url))  # another Orders on the same database: another process
    worker.place(new_order())  # the worker has read the settings once
    web.merchant_settings.save(
        {"store_name": "Engines & Co", "from_email": "Engines & Co <hello@engines.example>"},
        actor="staff:ada",
    )
    worker.place(new_order(email="bob@example.com"))
    (confirmation,) = smtp.inbox.to("bob@example.com")
    assert confirmation.message["From"] == "Engines & Co <hello@engines.example>"
    assert "Engines & Co" in confirmation.text()


def test_turning_off_a_customer_email_stops_it(connect: Connect, smtp: SmtpServer) -> None:
    shop = connect(shop_settings(smtp.url))
    shop.merchant_settings.save({"disabled_emails": ["order_confirmation"]})
    shop.place(new_order())
    assert smtp.inbox.to("ada@example.com") == []
    assert len(smtp.inbox.to(ALERT)) == 1


def test_each_change_is_audited_with_who_when_old_and_new(connect: Connect, smtp: SmtpServer) -> None:
    shop = connect(shop_settings(smtp.url))
    first = shop.merchant_settings.save(
        {
            "new_order_alert_emails": ["owner@shop.example", "ops@shop.example"],
            "store_name": "Analytical Engines",
        },
        actor="staff:ada",
    )
    assert [(c.field, c.old, c.new) for c in first] == [
        ("new_order_alert_emails", [ALERT], ["owner@shop.example", "ops@shop.example"])
    ]  # the store name was already that: no change, no audit row
    shop.merchant_settings.save({"reply_to": ""}, actor="staff:bob")
    history = shop.merchant_settings.history()
    assert [(c.actor, c.field, c.old, c.new) for _id, c in history] == [
        ("staff:bob", "reply_to", "help@engines.example", None),
        ("staff:ada", "new_order_alert_emails", [ALERT], ["owner@shop.example", "ops@shop.example"]),
    ]
    assert all(c.at.tzinfo is not None for _id, c in history)
    older = shop.merchant_settings.history(limit=1, before=history[0][0])
    assert [c.field for _id, c in older] == ["new_order_alert_emails"]
    assert shop.merchant_settings.effective().reply_to is None


def test_a_bad_save_leaves_nothing_behind(connect: Connect, smtp: SmtpServer) -> None:
    shop = connect(shop_settings(smtp.url))
    with pytest.raises(ko.ValidationError) as refused:
        shop.merchant_settings.save({"store_name": "New name", "from_email": "not-an-address"})
    assert [problem.path for problem in refused.value.errors] == ["from_email"]
    assert shop.store.saved_settings() == {}
    assert shop.merchant_settings.history() == []
    assert shop.merchant_settings.effective().store_name == "Analytical Engines"


def test_a_locked_field_cannot_be_saved_and_keeps_the_code_value(connect: Connect, smtp: SmtpServer) -> None:
    shop = connect(shop_settings(smtp.url, locked_settings=["from_email"]))
    with pytest.raises(ko.ValidationError) as refused:
        shop.merchant_settings.save({"from_email": "other@shop.example", "store_name": "X"})
    assert [problem.path for problem in refused.value.errors] == ["from_email"]
    assert shop.store.saved_settings() == {}
    states = {state.field.name: state for state in shop.merchant_settings.fields()}
    assert states["from_email"].locked and not states["store_name"].locked


def test_a_misspelt_lock_fails_when_the_orders_is_built(database_url: str) -> None:
    with pytest.raises(ko.ValidationError, match="locked_settings"):
        ko.Orders.connect(
            database_url,
            settings=ko.Settings(locked_settings=["smtp_url"]),
            load_entrypoints=False,
            migrate=False,
        )


def test_concurrent_saves_each_audit_the_value_the_other_left(connect: Connect, smtp: SmtpServer) -> None:
    shop = connect(shop_settings(smtp.url))
    names = [f"Shop {n}" for n in range(6)]
    threads = [
        threading.Thread(
            target=shop.merchant_settings.save, args=({"store_name": name},), kwargs={"actor": name}
        )
        for name in names
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    chain = [c for _id, c in reversed(shop.merchant_settings.history())]
    assert len(chain) == len(names)
    assert chain[0].old == "Analytical Engines"
    assert all(later.old == earlier.new for earlier, later in itertools.pairwise(chain))
    assert shop.merchant_settings.effective().store_name == chain[-1].new


def test_the_test_email_goes_through_the_real_mail_path(connect: Connect, smtp: SmtpServer) -> None:
    shop = connect(shop_settings(smtp.url))
    shop.merchant_settings.save({"reply_to": "desk@engines.example"})
    check = send_test_email(shop, "me@engines.example")
    assert check.ok and check.delivered == ("me@engines.example",)
    (received,) = smtp.inbox.to("me@engines.example")
    assert received.message["Reply-To"] == "desk@engines.example"
    assert received.message["From"] == "Analytical Engines <orders@engines.example>"
    alerts = send_test_email(shop)  # no address given: the alert addresses
    assert alerts.delivered == (ALERT,)


def test_the_test_email_shows_the_mail_server_error(connect: Connect, smtp: SmtpServer) -> None:
    shop = connect(shop_settings(smtp.url))
    smtp.inbox.refuse_once.add("gone@engines.example")
    check = send_test_email(shop, ["gone@engines.example", "me@engines.example"])
    assert check.delivered == ("me@engines.example",)
    ((address, error),) = check.failed
    assert address == "gone@engines.example" and "550" in error and "mailbox unavailable" in error


def test_the_test_email_says_when_the_server_cannot_be_reached(
    connect: Connect, smtp_down: SmtpServer
) -> None:
    shop = connect(shop_settings(smtp_down.url))
    check = send_test_email(shop)
    assert not check.ok
    ((address, error),) = check.failed
    assert address == ALERT and "ConnectionRefusedError" in error


def test_the_test_email_refuses_a_bad_address(connect: Connect, smtp: SmtpServer) -> None:
    shop = connect(shop_settings(smtp.url, new_order_alert_emails=[]))
    with pytest.raises(ko.ValidationError) as refused:
        send_test_email(shop, "nope")
    assert [problem.path for problem in refused.value.errors] == ["to"]
    with pytest.raises(ko.ValidationError, match="no new-order alert addresses"):
        send_test_email(shop)
    assert smtp.inbox.received == []


def test_the_saved_rows_are_the_values_as_stored(connect: Connect, smtp: SmtpServer) -> None:
    shop = connect(shop_settings(smtp.url))
    shop.merchant_settings.save(
        {"disabled_emails": ["shipping_notification", "order_cancelled"], "reply_to": ""}
    )
    assert shop.store.saved_settings() == {
        "disabled_emails": ["order_cancelled", "shipping_notification"],
        "reply_to": None,
    }
    table = shop.store.tables.merchant_settings
    with shop.store.engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(table)) == 2


def test_a_saved_time_zone_is_audited_and_becomes_the_pages_clock(connect: Connect, smtp: SmtpServer) -> None:
    shop = connect(shop_settings(smtp.url))
    merchant = shop.merchant_settings
    assert merchant.page_timezone() == "UTC"
    assert merchant.page_timezone("America/New_York") == "America/New_York"  # the adapter's, over UTC
    (change,) = merchant.save({"timezone": "Europe/Berlin"}, actor="staff:ada")
    assert (change.actor, change.field, change.old, change.new) == (
        "staff:ada",
        "timezone",
        "UTC",
        "Europe/Berlin",
    )
    assert shop.store.saved_settings()["timezone"] == "Europe/Berlin"
    assert merchant.effective().timezone == "Europe/Berlin"
    assert merchant.page_timezone("America/New_York") == "Europe/Berlin"  # the merchant's wins
    [(_id, latest)] = merchant.history()
    assert latest == change


def test_a_bad_time_zone_saves_nothing_not_even_the_good_fields(connect: Connect, smtp: SmtpServer) -> None:
    shop = connect(shop_settings(smtp.url))
    with pytest.raises(ko.ValidationError) as refused:
        shop.merchant_settings.save({"store_name": "New name", "timezone": "Mars/Base"})
    assert [str(problem) for problem in refused.value.errors] == [
        "timezone: unknown time zone 'Mars/Base': use a name such as Europe/Berlin or America/New_York"
    ]
    assert shop.store.saved_settings() == {}
    assert shop.merchant_settings.history() == []
    assert shop.merchant_settings.page_timezone() == "UTC"


def test_a_locked_time_zone_cannot_be_saved_and_the_code_zone_stays(
    connect: Connect, smtp: SmtpServer
) -> None:
    shop = connect(shop_settings(smtp.url, timezone="America/New_York", locked_settings=["timezone"]))
    with pytest.raises(ko.ValidationError) as refused:
        shop.merchant_settings.save({"timezone": "Europe/Berlin"})
    assert [problem.path for problem in refused.value.errors] == ["timezone"]
    assert shop.store.saved_settings() == {}
    assert shop.merchant_settings.page_timezone("Asia/Tokyo") == "America/New_York"  # the code's
