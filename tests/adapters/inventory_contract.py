"""The Inventory pages' behaviour, the same on every host (each host's test module subclasses it).

The subclass provides the ``site`` fixture (a :class:`~tests.adapters.contract.MerchantSite` of
staff who may do everything) on the ``orders`` fixture's database.
"""

from __future__ import annotations

import re

import kasify_orders as ko
from tests.adapters.contract import MerchantSite
from tests.helpers import new_order

SKU = "TEE-RED-M"


def _history(orders: ko.Orders, sku: str = SKU) -> list[tuple[object, ...]]:
    return [(m.kind, m.delta, m.quantity, m.reason) for m in reversed(orders.inventory.history(sku))]


def _error(raw: str, field_id: str) -> str:
    """The error printed beside the field with this id."""
    found = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', raw)
    assert found is not None, f"no error beside {field_id}"
    return found.group(1).replace("&#39;", "'").replace("&amp;", "&")


class InventoryPagesContract:
    """Inventory: list and low-stock filter, tracking, set / adjust with a reason, history, refusals."""

    def test_the_list_shows_every_tracked_sku_and_filters_the_low_ones(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        orders.inventory.track("MUG-ENAMEL", 2, name="Enamel mug")
        orders.inventory.track(SKU, 40, low_stock_at=10)
        page = site.get(site.page_url("inventory"))
        assert page.status == 200
        assert "MUG-ENAMEL Enamel mug 2 Low stock 5" in page.text
        assert f"{SKU} 40 10" in page.text
        assert "All tracked 2" in page.text and "Low stock 1" in page.text
        sidebar = page.raw[page.raw.index('<nav class="sidebar"') : page.raw.index("</nav>")]
        assert re.search(r'<a href="[^"]+" aria-current="page">Inventory', sidebar)
        assert "not checked against this stock" not in page.text
        low = site.get(site.page_url("inventory") + "?low=1")
        assert "MUG-ENAMEL" in low.text and SKU not in low.text

    def test_tracking_a_sku_from_the_new_page_and_its_mistakes_beside_their_fields(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        assert site.get(site.page_url("inventory/new")).status == 200
        form = {"sku": " ", "name": "", "quantity": "three", "low_stock_at": "-1", "reason": ""}
        refused = site.post(site.page_url("inventory/new"), form)
        assert refused.status == 400
        assert _error(refused.raw, "new-sku") == "must not be blank"
        assert _error(refused.raw, "new-quantity") == "must be a whole number such as 0 or 12, got “three”"
        assert _error(refused.raw, "new-low_stock_at").startswith("must be a whole number")
        assert 'value="three"' in refused.raw  # what was typed is kept
        assert orders.inventory.items() == []
        form = {
            "sku": SKU,
            "name": "Organic T-shirt",
            "quantity": "12",
            "low_stock_at": "3",
            "reason": "delivery",
        }
        done = site.post(site.page_url("inventory/new"), form)
        assert done.status in {302, 303} and done.location is not None
        assert done.location.rstrip("/").endswith(f"inventory/{SKU}")
        page = site.get(done.location)
        assert "Now tracking TEE-RED-M: 12 in stock." in page.text
        assert "Organic T-shirt" in page.text and "12 in stock" in page.text
        again = site.post(site.page_url("inventory/new"), form)
        assert again.status == 400
        assert _error(again.raw, "new-sku").startswith("TEE-RED-M is tracked already")
        assert _history(orders) == [(ko.StockKind.TRACKED, 12, 12, "delivery")]

    def test_set_and_adjust_with_a_reason_land_in_the_history_with_who_did_it(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        orders.inventory.track(SKU, 5)
        order = orders.place(new_order(quantity=2))
        adjust = site.page_url(f"inventory/{SKU}/adjust")
        sold = site.post(adjust, {"mode": "adjust", "delta": "-1", "reason": "sold at market"})
        assert sold.status in {302, 303}
        assert site.post(adjust, {"mode": "set", "quantity": "9", "reason": "recount"}).status in {302, 303}
        assert orders.inventory.stock(SKU) == 9
        page = site.get(site.page_url(f"inventory/{SKU}"))
        assert "TEE-RED-M: 9 in stock (+7)." in page.text
        assert "Stock set +7 9 recount" in page.text
        assert "Stock adjusted -1 2 sold at market" in page.text
        assert f"Order placed -2 3 Customer #{order.number}" in page.text
        assert "Tracking started +5 5" in page.text
        moves = orders.inventory.history(SKU)
        assert moves[0].actor is not None and moves[0].actor == moves[1].actor  # the signed-in merchant

    def test_an_adjustment_below_zero_is_refused_beside_its_field_and_changes_nothing(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        orders.inventory.track(SKU, 2)
        adjust = site.page_url(f"inventory/{SKU}/adjust")
        below = site.post(adjust, {"mode": "adjust", "delta": "-3", "reason": "sold at market"})
        assert below.status == 400
        assert _error(below.raw, "adjust-delta") == "only 2 in stock: cannot remove 3 (at most 2)"
        assert 'value="sold at market"' in below.raw
        blank = site.post(adjust, {"mode": "set", "quantity": "", "reason": ""})
        assert blank.status == 400 and _error(blank.raw, "set-quantity") == "must not be blank"
        signed = site.post(adjust, {"mode": "set", "quantity": "-4"})
        assert signed.status == 400 and _error(signed.raw, "set-quantity").startswith(
            "must be a whole number"
        )
        assert site.post(adjust, {"mode": "steal", "quantity": "1"}).status == 400
        assert orders.inventory.stock(SKU) == 2
        assert _history(orders) == [(ko.StockKind.TRACKED, 2, 2, "")]

    def test_details_and_stopping_and_starting_tracking(self, site: MerchantSite, orders: ko.Orders) -> None:
        orders.inventory.track(SKU, 4)
        details = site.page_url(f"inventory/{SKU}/details")
        bad = site.post(details, {"name": "x" * 201, "low_stock_at": "1"})
        assert (
            bad.status == 400 and _error(bad.raw, "details-name") == "must be at most 200 characters, got 201"
        )
        assert site.post(details, {"name": "Organic T-shirt", "low_stock_at": "4"}).status in {302, 303}
        item = orders.inventory.get(SKU)
        assert (item.name, item.low_stock_at, item.low) == ("Organic T-shirt", 4, True)
        track = site.page_url(f"inventory/{SKU}/track")
        assert site.post(track, {"tracking": "stop", "reason": "discontinued"}).status in {302, 303}
        assert orders.inventory.stock(SKU) is None
        page = site.get(site.page_url(f"inventory/{SKU}"))
        assert page.status == 200 and "This SKU is not tracked" in page.text
        assert "Tracking stopped -4 — discontinued" in page.text
        assert site.post(track, {"tracking": "stop"}).status == 400  # not tracked any more
        assert site.post(track, {"tracking": "start", "quantity": "6"}).status in {302, 303}
        assert orders.inventory.stock(SKU) == 6
        assert site.get(site.page_url("inventory/NEVER-TRACKED")).status == 404

    def test_whom_authorize_refuses_and_a_form_without_its_csrf_token_change_nothing(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        orders.inventory.track(SKU, 3)
        nobody = site.refusing()
        for path in ("inventory", "inventory/new", f"inventory/{SKU}"):
            assert nobody.get(site.page_url(path)).status == 403, path
        posts = {
            f"inventory/{SKU}/adjust": {"mode": "adjust", "delta": "-1", "reason": "x"},
            f"inventory/{SKU}/details": {"name": "Stolen", "low_stock_at": "1"},
            f"inventory/{SKU}/track": {"tracking": "stop"},
            "inventory/new": {"sku": "NEW", "quantity": "1", "low_stock_at": "1"},
        }
        for path, form in posts.items():
            assert nobody.post(site.page_url(path), form).status == 403, path
            assert site.post(site.page_url(path), form, csrf=False).status in {400, 403}, path
        assert orders.inventory.get(SKU).quantity == 3 and orders.inventory.get(SKU).name is None
        assert orders.inventory.find("NEW") is None
        assert _history(orders) == [(ko.StockKind.TRACKED, 3, 3, "")]
