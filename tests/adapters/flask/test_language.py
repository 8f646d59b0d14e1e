"""A German shop in Berlin, through Flask: German pages, Berlin times, the email's money as the page's."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import flask
import pytest
from babel.messages.pofile import read_po

import kasify_orders as ko
from kasify_orders import i18n
from kasify_orders.adapters.flask import EXTENSION, KasifyOrders
from kasify_orders.demo.shop import create_app
from kasify_orders.web.coupon_forms import blank_form
from tests.adapters.edit_contract import form_of as edit_form
from tests.adapters.flask.conftest import ADMIN, API, post_action, session_token
from tests.helpers import new_order, tee_and_mug
from tests.integration.notifications.conftest import SmtpServer

CUSTOMER = "ada@example.com"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on loopback."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def german_shop(tmp_path: Path, smtp: SmtpServer) -> Iterator[flask.Flask]:
    app = flask.Flask("shop")
    app.config.update(
        SECRET_KEY="s",
        TESTING=True,
        KASIFY_ORDERS_DATABASE_URL=f"sqlite:///{tmp_path / 'shop.sqlite3'}",
        KASIFY_ORDERS_LOAD_ENTRYPOINTS=False,
        KASIFY_ORDERS_USE_HOST_MAIL=False,
        KASIFY_ORDERS_SETTINGS={
            "store_name": "Analytical Engines",
            "from_email": "orders@engines.example",
            "smtp_url": smtp.url,
        },
        KASIFY_ORDERS_LOCALE="de",
        KASIFY_ORDERS_TIMEZONE="Europe/Berlin",
    )
    KasifyOrders(app).authorize(lambda action, order: True)
    yield app
    app.extensions[EXTENSION].orders.close()


def text(html: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html))  # keeps no-break spaces


def test_german_pages_show_german_words_berlin_times_and_the_emails_money(
    german_shop: flask.Flask, smtp: SmtpServer
) -> None:
    orders: ko.Orders = german_shop.extensions[EXTENSION].orders
    order = orders.place(new_order())
    with german_shop.test_client() as client:
        html = client.get(f"{ADMIN}/{order.id}").get_data(as_text=True)
        listing = text(client.get(f"{ADMIN}/").get_data(as_text=True))
    page = text(html)
    assert '<html lang="de">' in html
    for german in [
        "Bestellung #1",
        "Bestellte Artikel",
        "Zwischensumme",
        "Gesamt",
        "Lieferadresse",
        "Ausstehend",
        "Zahlung bestätigen",  # the buttons, written by Python, translated too
        "Bestellung stornieren",
        "Notiz hinzufügen",
    ]:
        assert german in page
    assert "Items ordered" not in page and "Subtotal" not in page
    berlin = order.created_at.astimezone(ZoneInfo("Europe/Berlin"))
    assert berlin.strftime("%Y-%m-%d %H:%M ") + str(berlin.tzname()) in page  # not the stored UTC
    assert f'datetime="{order.created_at.isoformat()}"' in html  # the machine's form stays UTC
    total = re.search(r'<dd class="grand">([^<]+)</dd>', html)
    assert total is not None and total.group(1) == "55,00\xa0$"
    assert total.group(1) in listing and "Ausstehend" in listing  # the list writes money the same way
    for german in ["Suche", "Bestellung", "Kunde", "Status: Ausstehend", "Zahlung:"]:  # headers, badges
        assert german in listing, german
    assert "Search" not in listing and "Customer" not in listing

    (confirmation,) = smtp.inbox.to(CUSTOMER)
    assert confirmation.message["Subject"] == "Analytical Engines: Bestellung #1 bestätigt"
    assert f"Gesamt: {total.group(1)}" in confirmation.text()  # the page's money string, not US$55.00
    assert "Vielen Dank für Ihre Bestellung #1" in confirmation.text()
    assert total.group(1) in confirmation.html() and "Zwischensumme" in confirmation.html()


def test_the_notice_after_an_action_is_german(german_shop: flask.Flask) -> None:
    orders: ko.Orders = german_shop.extensions[EXTENSION].orders
    order = orders.place(new_order())
    with german_shop.test_client() as client:
        done = post_action(client, order, "confirm_payment")
        assert done.status_code == 303
        page = client.get(done.headers["Location"]).get_data(as_text=True)
        order = orders.get(order.id)
        shipped = post_action(
            client, order, "mark_shipped", tracking_number="1Z999AA10123456784", carrier="UPS"
        )
        after = client.get(shipped.headers["Location"]).get_data(as_text=True)
    notices = re.findall(r'<p class="notice" role="status">([^<]*)</p>', page + after)
    assert notices == [
        "Zahlung bestätigt: Die Bestellung ist jetzt in Bearbeitung.",
        "Als versandt markiert, Sendungsnummer 1Z999AA10123456784.",
    ]


def test_the_settings_page_speaks_german_too(german_shop: flask.Flask) -> None:
    with german_shop.test_client() as client:
        page = text(client.get(f"{ADMIN}/settings/notifications").get_data(as_text=True))
    for german in [
        "Shopname",
        "Absenderadresse",
        "Bestellbestätigung",
        "Versandbenachrichtigung",
        "an den Kunden",
    ]:
        assert german in page
    assert "Store name" not in page and "Order confirmation" not in page


def test_coupon_dates_are_on_the_merchants_clock(german_shop: flask.Flask) -> None:
    orders: ko.Orders = german_shop.extensions[EXTENSION].orders
    ends = datetime(2031, 7, 1, 22, 30, tzinfo=UTC)  # already July 2nd in Berlin
    orders.coupons.create(attrs.evolve(ko.Coupon.percentage("SUMMER", 10), ends_at=ends))
    with german_shop.test_client() as client:
        listing = text(client.get(f"{ADMIN}/coupons").get_data(as_text=True))
        detail = text(client.get(f"{ADMIN}/coupons/SUMMER").get_data(as_text=True))
    assert "2031-07-02 00:30 CEST" in listing and "2031-07-02 00:30 CEST" in detail
    assert "Bis 2031-07-02 00:30 CEST" in listing  # the dates' words too, not "Until"
    assert "22:30 UTC" not in listing + detail


def test_the_lists_tabs_sorts_and_a_refused_bulk_action_are_german(german_shop: flask.Flask) -> None:
    orders: ko.Orders = german_shop.extensions[EXTENSION].orders
    order = orders.confirm_payment(orders.place(new_order()).id)
    with german_shop.test_client() as client:
        listing = client.get(f"{ADMIN}/").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', listing)
        assert token is not None
        bulk = client.post(
            f"{ADMIN}/orders/bulk",
            data={"csrf_token": token.group(1), "bulk_action": "confirm_payment", "order": order.id},
        )
        wrong_tab = text(client.get(f"{ADMIN}/?status=lost").get_data(as_text=True))
    page = text(listing)
    for german in ["Alle", "In Bearbeitung", "Braucht Aufmerksamkeit", "Neueste zuerst", "Höchste Summe"]:
        assert german in page, german
    assert "Newest first" not in page and ">All<" not in listing
    assert "Es gibt keinen Reiter „lost“; alle Bestellungen werden angezeigt." in wrong_tab
    assert bulk.status_code == 200
    refused = "Die Zahlung ist Bezahlt und die Bestellung In Bearbeitung: Es gibt keine Zahlung zu bestätigen"
    assert refused in text(bulk.get_data(as_text=True))


def test_an_unknown_time_zone_or_language_stops_the_app_at_start_up(tmp_path: Path) -> None:
    for key, value, message in [
        ("KASIFY_ORDERS_TIMEZONE", "Europe/Atlantis", "unknown time zone 'Europe/Atlantis'"),
        ("KASIFY_ORDERS_LOCALE", "xx", "unknown locale 'xx'"),
    ]:
        app = flask.Flask("shop")
        app.config.update(
            {
                "KASIFY_ORDERS_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                "SECRET_KEY": "s",
                key: value,
            }
        )
        with pytest.raises(ValueError, match=message):
            KasifyOrders(app)


def test_the_timeline_reads_german_with_the_pages_money(german_shop: flask.Flask, smtp: SmtpServer) -> None:
    orders: ko.Orders = german_shop.extensions[EXTENSION].orders
    order = orders.place(new_order())
    with german_shop.test_client() as client:
        for action, fields in [
            ("confirm_payment", {}),
            ("mark_shipped", {"tracking_number": "1Z999AA10123456784", "carrier": "UPS"}),
            ("update_tracking", {"tracking_number": "1Z999AA10123456791", "carrier": "UPS"}),
            ("refund", {"amount": "10.00", "note": "Kratzer"}),
        ]:
            order = orders.get(order.id)
            assert post_action(client, order, action, **fields).status_code == 303, action
        html = client.get(f"{ADMIN}/{order.id}").get_data(as_text=True)
    timeline = [text(entry).strip() for entry in re.findall(r'<p class="message">(.*?)</p>', html)]
    assert timeline[::-1][:6] == [  # oldest first; the emails' entries come after their action
        "Bestellung aufgegeben: 2 Artikel, Summe 55,00\xa0$",
        "Bestellbestätigung an ada@example.com gesendet",
        "Zahlung bestätigt",
        "Als versandt markiert über UPS, Sendungsnummer 1Z999AA10123456784",
        "Versandbenachrichtigung an ada@example.com gesendet",
        "Sendungsverfolgung geändert von UPS 1Z999AA10123456784 auf UPS 1Z999AA10123456791",
    ]
    assert "10,00\xa0$ erstattet — Notiz: Kratzer" in timeline
    stored = [entry.message for entry in orders.get(order.id).timeline]
    assert "Refunded 10.00 USD — note: Kratzer" in stored  # the record itself stays as written


def test_a_bad_ship_form_is_explained_in_german_while_the_api_stays_english(german_shop: flask.Flask) -> None:
    orders: ko.Orders = german_shop.extensions[EXTENSION].orders
    order = orders.confirm_payment(orders.place(new_order()).id)
    with german_shop.test_client() as client:
        page = post_action(client, order, "mark_shipped", tracking_number="  ", carrier="UPS")
        shown = page.get_data(as_text=True)
        api = client.post(f"{API}/{order.id}/mark_shipped", json={"tracking_number": " ", "carrier": "UPS"})
    assert page.status_code == 400
    assert 'id="mark_shipped-tracking_number-error">Darf nicht leer sein.' in shown
    assert "Must not be blank" not in shown
    assert api.status_code == 422
    assert api.json["errors"] == [{"path": "tracking_number", "message": "must not be blank"}]
    assert orders.get(order.id) == order


def test_a_bad_coupon_form_is_explained_in_german(german_shop: flask.Flask) -> None:
    orders: ko.Orders = german_shop.extensions[EXTENSION].orders
    form = {**blank_form(), "code": "two words", "value": "150", "usage_limit": "0", "minimum_order": "viel"}
    form.update(starts_at="2031-07-02T00:00", ends_at="2031-07-01T00:00")
    with german_shop.test_client() as client:
        answer = client.post(f"{ADMIN}/coupons/new", data={**form, "csrf_token": session_token(client)})
    page = html.unescape(text(answer.get_data(as_text=True)))
    assert answer.status_code == 400
    for german in [
        "Muss aus 1-64 Buchstaben, Ziffern, '-' oder '_' bestehen",
        "Ein Prozentsatz muss größer als 0 und höchstens 100 sein, angegeben: 150.",
        "Geben Sie den Mindestbestellwert in Ziffern ein, etwa 12.50, nicht „viel“.",
        "Muss mindestens 1 sein, angegeben: 0.",
        "Muss später sein als der Beginn.",
    ]:
        assert german in page, german
    assert "Must be at least 1" not in page and orders.coupons.all() == []

    orders.coupons.create(ko.Coupon.percentage("SUMMER", 10))
    again = {**blank_form(), "code": "summer", "value": "5"}
    with german_shop.test_client() as client:
        taken = client.post(f"{ADMIN}/coupons/new", data={**again, "csrf_token": session_token(client)})
    assert taken.status_code == 400
    assert "Ein Gutschein SUMMER existiert bereits." in text(taken.get_data(as_text=True))


def test_a_bad_refund_and_a_bad_list_filter_are_explained_in_german(german_shop: flask.Flask) -> None:
    orders: ko.Orders = german_shop.extensions[EXTENSION].orders
    order = orders.confirm_payment(orders.place(new_order()).id)
    with german_shop.test_client() as client:
        blank = post_action(client, order, "refund", amount=" ").get_data(as_text=True)
        zero = post_action(client, order, "refund", amount="0").get_data(as_text=True)
        cents = post_action(client, order, "refund", amount="1.234").get_data(as_text=True)
        listing = client.get(f"{ADMIN}/?placed_from=gestern").get_data(as_text=True)
    assert 'id="refund-amount-error">Geben Sie den Betrag der Erstattung ein.' in blank
    assert 'id="refund-amount-error">Muss größer als 0 sein, angegeben: 0.' in zero
    assert "1.234 hat mehr als 2 Nachkommastellen, die kleinste Einheit von USD." in cents
    assert "muss ein Datum im Format JJJJ-MM-TT sein, angegeben: &#39;gestern&#39;." in listing
    assert "Aufgegeben ab: muss ein Datum" in listing and "must be a date" not in listing
    assert orders.get(order.id) == order


def test_a_bad_stock_adjustment_is_explained_in_german(german_shop: flask.Flask) -> None:
    orders: ko.Orders = german_shop.extensions[EXTENSION].orders
    orders.inventory.track("TEE-RED-M", 2)
    adjust = f"{ADMIN}/inventory/TEE-RED-M/adjust"
    with german_shop.test_client() as client:
        token = session_token(client)
        below = client.post(
            adjust, data={"mode": "adjust", "delta": "-3", "reason": "x", "csrf_token": token}
        )
        signed = client.post(adjust, data={"mode": "set", "quantity": "-4", "csrf_token": token})
    assert below.status_code == signed.status_code == 400
    german = "nur 2 auf Lager: 3 können nicht entnommen werden (höchstens 2)"
    assert f'<p class="error" id="adjust-delta-error">{german}</p>' in below.get_data(as_text=True)
    assert "muss eine ganze Zahl wie 0 oder 12 sein, angegeben: „-4“" in signed.get_data(as_text=True)
    assert orders.inventory.stock("TEE-RED-M") == 2
    with german_shop.test_client() as client:
        history = text(client.get(f"{ADMIN}/inventory/TEE-RED-M").get_data(as_text=True))
    assert "Bestandsführung begonnen" in history and "Tracking started" not in history


def test_a_bad_edit_is_explained_in_german(german_shop: flask.Flask) -> None:
    orders: ko.Orders = german_shop.extensions[EXTENSION].orders
    order = orders.confirm_payment(orders.place(tee_and_mug()).id)
    with german_shop.test_client() as client:
        answer = client.post(
            f"{ADMIN}/edit-order/{order.id}",
            data={**edit_form(order, quantity_1="0"), "csrf_token": session_token(client)},
        )
    assert answer.status_code == 400
    page = text(html.unescape(answer.get_data(as_text=True)))
    assert "Muss eine ganze Zahl von Einheiten von 1 bis 1,000,000 sein" in page
    assert orders.get(order.id) == order


def _english_the_catalog_translates() -> set[str]:
    """Every plain sentence of kasify's catalog whose German differs from it."""
    with (i18n.LOCALE_DIR / "de" / "LC_MESSAGES" / "kasify_orders.po").open("rb") as po:
        catalog = read_po(po, locale="de", domain="kasify_orders")
    return {
        str(m.id)
        for m in catalog
        if isinstance(m.id, str) and m.id and "%(" not in m.id and m.string and m.string != m.id
    }


def test_no_page_of_the_german_demo_shows_an_english_sentence_the_catalog_translates(tmp_path: Path) -> None:
    """Walk every merchant page of the seeded demo shop in German: none says a catalog sentence in English."""
    app = create_app(
        f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        config={"KASIFY_ORDERS_LOCALE": "de", "KASIFY_ORDERS_TIMEZONE": "Europe/Berlin"},
    )
    english = _english_the_catalog_translates()
    phrases = [sentence for sentence in english if " " in sentence and len(sentence) >= 8]  # inside a line
    found: dict[str, str] = {}
    seen: set[str] = set()
    queue = [f"{ADMIN}/"]
    with app.test_client() as client:
        while queue and len(seen) < 80:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            with client.get(url) as answer:
                if answer.status_code != 200 or answer.mimetype != "text/html":
                    continue
                page = answer.get_data(as_text=True)
            # code and samples are literal (a CSV file's column names stay as the file has them)
            shown = re.sub(r"(?s)<(script|style|pre|code)[^>]*>.*?</\1>", "", page)
            words = re.findall(r'(?:aria-label|title|placeholder)="([^"]*)"', shown)
            words += re.sub(r"<[^>]+>", "\n", shown).split("\n")
            for line in (" ".join(html.unescape(w).split()) for w in words):
                if line in english or any(sentence in line for sentence in phrases):
                    found.setdefault(line, url)
            for link in re.findall(r'href="(/admin/orders/[^"#?]*)"', page):
                if (
                    "/static/" not in link
                    and not link.endswith((".csv", "packing-slip"))
                    and link not in seen
                ):
                    queue.append(link)
    assert len(seen) > 20  # the walk reached the order, coupon, inventory and settings pages
    assert found == {}


def test_the_returns_section_and_its_timeline_read_german(german_shop: flask.Flask) -> None:
    orders: ko.Orders = german_shop.extensions[EXTENSION].orders
    order = orders.confirm_payment(orders.place(tee_and_mug()).id)
    order = orders.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")
    made = orders.returns.open(order.id, lines={1: 1}, reason="zu klein").returns[0]
    with german_shop.test_client() as client:
        answer = post_action(client, orders.get(order.id), "receive_return", return_id=made.id, restock="on")
        assert answer.status_code == 303
        page = text(client.get(f"{ADMIN}/{order.id}").get_data(as_text=True))
        refused = post_action(client, orders.get(order.id), "receive_return", return_id=made.id)
        assert refused.status_code == 400
    assert "Rücksendungen" in page and "Erhalten" in page and "Rücksendung anlegen" in page
    assert "Rücksendung angelegt für 1 x T-shirt: zu klein" in page
    assert "Rücksendung erhalten: 1 x T-shirt (wieder im Bestand)" in page
    assert "Rücksendung erhalten; die Artikel sind wieder im Bestand." in page


def test_an_edits_timeline_writes_the_address_as_the_page_does(german_shop: flask.Flask) -> None:
    orders: ko.Orders = german_shop.extensions[EXTENSION].orders
    order = orders.place(tee_and_mug())
    new = ko.Address("2 Mill Lane", "York", "YO1 7HH", "GB", region="North Yorkshire")
    orders.edit(order.id, shipping_address=new)
    with german_shop.test_client() as client:
        page = client.get(f"{ADMIN}/{order.id}").get_data(as_text=True)
    (block,) = re.findall(r"<address>(.*?)</address>", page, flags=re.DOTALL)
    shown = [text(html.unescape(part)).strip() for part in block.split("<br>")][1:]  # after the name
    assert shown == ["2 Mill Lane", "York, North Yorkshire YO1 7HH", "GB"]
    timeline = text(html.unescape(page))
    old = "12 St James's Sq, London SW1Y 4JH, GB"
    assert f"Bestellung geändert: Adresse: {old} → {', '.join(shown)}" in timeline


def test_a_refund_of_units_back_in_stock_already_says_so_in_german(german_shop: flask.Flask) -> None:
    orders: ko.Orders = german_shop.extensions[EXTENSION].orders
    orders.inventory.set_stock("TEE", 10)
    order = orders.confirm_payment(orders.place(tee_and_mug()).id)
    order = orders.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")
    made = orders.returns.open(order.id, lines={1: 1}, reason="zu klein").returns[0]
    orders.returns.receive(made.id, restock=True)
    orders.refund(order.id, lines={1: 1}, restock=True, note="")
    assert orders.inventory.stock("TEE") == 9  # 10 - 2 + the returned one, once
    with german_shop.test_client() as client:
        page = text(html.unescape(client.get(f"{ADMIN}/{order.id}").get_data(as_text=True)))
    assert "(1 x T-shirt schon wieder im Bestand: nicht noch einmal zurückgebucht)" in page


def test_the_returns_page_reads_german(german_shop: flask.Flask) -> None:
    orders: ko.Orders = german_shop.extensions[EXTENSION].orders
    with german_shop.test_client() as client:
        empty = text(client.get(f"{ADMIN}/returns").get_data(as_text=True))
        order = orders.confirm_payment(orders.place(tee_and_mug()).id)
        order = orders.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")
        orders.returns.open(order.id, lines={1: 1}, reason="zu klein")
        page = text(client.get(f"{ADMIN}/returns").get_data(as_text=True))
    assert "Keine Rücksendung wartet auf Sie" in empty
    assert "Rücksendungen" in page and "Angelegt" in page and "Grund" in page and "zu klein" in page
    assert "Offen" in page and "Returns waiting" not in page
