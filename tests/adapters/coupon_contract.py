"""The Coupons pages' contract, held by every host adapter (Flask, Django) through its test client.

The same :class:`~tests.adapters.contract.MerchantSite` as the order pages' contract drives them:
the list, each type created through the form, edits that keep the use count, the switch, the
orders that used a coupon, and every refusal (bad input, a taken code, no CSRF token, someone
``authorize`` refuses) leaving the coupon book as it was.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import kasify_orders as ko
from kasify_orders.web.coupon_forms import RULES_SEEN, blank_form, rules_seen
from tests.adapters.contract import Answer, MerchantSite
from tests.helpers import new_order

__all__ = ["CouponPagesContract", "coupon_url"]


def coupon_url(site: MerchantSite, path: str = "") -> str:
    """The address of a Coupons page: ``coupon_url(site, "SAVE20/edit")``."""
    return site.page_url(f"coupons/{path}" if path else "coupons")


def _form(**fields: str) -> dict[str, str]:
    return {**blank_form(), **fields}


def _create(site: MerchantSite, **fields: str) -> Answer:
    return site.post(coupon_url(site, "new"), _form(**fields))


class CouponPagesContract:
    """The Coupons section's behaviour on every adapter (subclass it as ``Test...``)."""

    def test_the_list_shows_every_column_of_every_coupon(self, site: MerchantSite, orders: ko.Orders) -> None:
        orders.coupons.create(ko.Coupon.percentage("SAVE20", 20, minimum_order=Decimal(50), currency="USD"))
        orders.coupons.create(ko.Coupon.fixed("TENOFF", 10, currency="USD", usage_limit=100))
        orders.coupons.create(ko.Coupon.free_shipping("SHIPFREE", once_per_customer=True, active=False))
        orders.place(new_order(coupon_code="TENOFF"))

        answer = site.get(coupon_url(site))

        assert answer.status == 200
        text = answer.text
        assert "SAVE20 Percentage off 20% $50.00 0 / no limit Always Active" in text
        assert "TENOFF Fixed amount off $10.00 — 1 / 100 Always Active" in text
        assert "SHIPFREE Free shipping Shipping — 0 / no limit · once per customer Always Disabled" in text

    def test_each_type_is_created_through_the_form(self, site: MerchantSite, orders: ko.Orders) -> None:
        first = _create(site, code="save20", kind="percentage", value="20")
        assert first.location is not None and first.location.endswith(coupon_url(site, "SAVE20"))
        assert "Coupon SAVE20 created." in site.get(first.location).text
        made = [
            first,
            _create(site, code="TENOFF", kind="fixed", value="10.00", currency="USD"),
            _create(
                site,
                code="SHIPFREE",
                kind="free_shipping",
                once_per_customer="on",
                starts_at="2026-12-01T09:00",
                ends_at="2027-01-01",
            ),
            _create(site, code="BIG5", kind="fixed", value="5", minimum_order="40", usage_limit="3"),
        ]

        assert all(answer.status in {302, 303} for answer in made), [answer.text for answer in made]
        assert orders.coupons.all() == [
            ko.Coupon.fixed("BIG5", 5, minimum_order=Decimal(40), usage_limit=3),
            ko.Coupon.percentage("SAVE20", 20),
            ko.Coupon.free_shipping(
                "SHIPFREE",
                once_per_customer=True,
                starts_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
                ends_at=datetime(2027, 1, 1, tzinfo=UTC),
            ),
            ko.Coupon.fixed("TENOFF", Decimal("10.00"), currency="USD"),
        ]
        listed = site.get(coupon_url(site)).text
        assert "2026-12-01 09:00 UTC to 2027-01-01 00:00 UTC" in listed

    def test_bad_input_is_explained_beside_its_field_and_stores_nothing(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        answer = _create(site, code="two words", kind="percentage", value="150", usage_limit="0")

        assert answer.status == 400
        assert "The coupon was not saved" in answer.text
        assert "Must be 1-64 letters, digits, '-' or '_'" in answer.text
        assert "A percentage must be more than 0 and at most 100, got 150." in answer.text
        assert "Must be at least 1, got 0." in answer.text
        assert orders.coupons.all() == []

    def test_a_taken_code_is_refused_beside_the_code(self, site: MerchantSite, orders: ko.Orders) -> None:
        orders.coupons.create(ko.Coupon.fixed("TENOFF", 10))

        answer = _create(site, code="tenoff", kind="percentage", value="5")

        assert answer.status == 400
        assert "A coupon TENOFF already exists." in answer.text
        assert orders.coupons.all() == [ko.Coupon.fixed("TENOFF", 10)]

    def test_an_edit_changes_the_rules_and_keeps_the_use_count(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        orders.coupons.create(ko.Coupon.percentage("SAVE20", 20))
        orders.place(new_order(coupon_code="SAVE20"))
        edit = coupon_url(site, "SAVE20/edit")
        assert "SAVE20" in site.get(edit).text

        saved = site.post(
            edit, _form(code="SAVE20", kind="percentage", value="25", minimum_order="30", active="on")
        )
        renamed = site.post(edit, _form(code="SAVE25", kind="percentage", value="25", active="on"))

        assert saved.status in {302, 303}
        assert renamed.status == 400
        assert "The code of a coupon that has been used cannot change" in renamed.text
        coupon = orders.coupons.get("SAVE20")
        assert (coupon.value, coupon.minimum_order, coupon.times_used) == (25, 30, 1)
        assert [c.code for c in orders.coupons.all()] == ["SAVE20"]

    def test_an_edit_over_someone_elses_changes_nothing_until_saved_again(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        shown = orders.coupons.create(ko.Coupon.fixed("TENOFF", 10))
        edit = coupon_url(site, "TENOFF/edit")
        assert f'name="{RULES_SEEN}" value="{rules_seen(shown)}"' in site.get(edit).raw
        meanwhile = orders.coupons.update(ko.Coupon.fixed("TENOFF", 12, usage_limit=50))
        typed = _form(code="TENOFF", kind="fixed", value="15", active="on")

        stale = site.post(edit, {**typed, RULES_SEEN: rules_seen(shown)})

        assert stale.status == 409
        assert "Someone else saved this coupon while you were editing it, so nothing was saved." in stale.text
        assert "$12.00" not in stale.text and "12 (any currency)" in stale.text and "0 / 50" in stale.text
        assert orders.coupons.get("TENOFF") == meanwhile
        again = site.post(edit, {**typed, RULES_SEEN: rules_seen(meanwhile)})
        assert again.status in {302, 303}
        assert orders.coupons.get("TENOFF") == ko.Coupon.fixed("TENOFF", 15)

    def test_an_unused_coupon_takes_a_new_code(self, site: MerchantSite, orders: ko.Orders) -> None:
        orders.coupons.create(ko.Coupon.free_shipping("SHIPFRE"))

        answer = site.post(
            coupon_url(site, "SHIPFRE/edit"), _form(code="SHIPFREE", kind="free_shipping", active="on")
        )

        assert answer.location is not None and answer.location.endswith(coupon_url(site, "SHIPFREE"))
        assert "Coupon SHIPFREE saved (was SHIPFRE)." in site.get(answer.location).text
        assert [c.code for c in orders.coupons.all()] == ["SHIPFREE"]

    def test_a_coupon_is_disabled_and_enabled(self, site: MerchantSite, orders: ko.Orders) -> None:
        orders.coupons.create(ko.Coupon.fixed("TENOFF", 10, usage_limit=5))
        toggle = coupon_url(site, "TENOFF/toggle")

        off = site.post(toggle, {"active": "0", "back": "list"})

        assert off.location is not None and off.location.endswith(coupon_url(site))
        assert "Coupon TENOFF disabled: customers can no longer use it." in site.get(off.location).text
        assert orders.coupons.get("TENOFF") == ko.Coupon.fixed("TENOFF", 10, usage_limit=5, active=False)
        site.post(toggle, {"active": "0"})  # a second click changes nothing more
        assert orders.coupons.get("TENOFF").active is False
        on = site.post(toggle, {"active": "1"})
        assert on.location is not None and on.location.endswith(coupon_url(site, "TENOFF"))
        assert orders.coupons.get("TENOFF") == ko.Coupon.fixed("TENOFF", 10, usage_limit=5)
        assert site.post(toggle, {"active": "maybe"}).status == 400
        assert orders.coupons.get("TENOFF").active is True

    def test_the_coupon_page_lists_the_orders_that_used_it_newest_first(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        orders.coupons.create(ko.Coupon.fixed("TENOFF", 10))
        first = orders.place(new_order(name="Ada Lovelace", coupon_code="TENOFF"))
        orders.place(new_order(name="Without Coupon"))
        second = orders.place(new_order(name="Grace Hopper", coupon_code="tenoff"))

        page = site.get(coupon_url(site, "TENOFF"))

        assert page.status == 200
        assert "Orders that used it" in page.text
        assert page.text.index(f"#{second.number}") < page.text.index(f"#{first.number}")
        assert "Without Coupon" not in page.text
        assert (
            "\N{MINUS SIGN}$10.00" in page.text
            and "1 / no limit" not in page.text
            and "2 / no limit" in page.text
        )

    def test_an_unknown_coupon_is_not_found(self, site: MerchantSite, orders: ko.Orders) -> None:
        for path in ("NOPE", "NOPE/edit"):
            answer = site.get(coupon_url(site, path))
            assert answer.status == 404 and "There is no coupon NOPE." in answer.text
        assert site.post(coupon_url(site, "NOPE/toggle"), {"active": "0"}).status == 404

    def test_a_form_without_a_valid_csrf_token_changes_nothing(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        orders.coupons.create(ko.Coupon.fixed("TENOFF", 10))

        made = site.post(coupon_url(site, "new"), _form(code="NEW1", kind="free_shipping"), csrf=False)
        edited = site.post(
            coupon_url(site, "TENOFF/edit"), _form(code="TENOFF", kind="fixed", value="99"), csrf=False
        )
        toggled = site.post(coupon_url(site, "TENOFF/toggle"), {"active": "0"}, csrf=False)

        assert {made.status, edited.status, toggled.status} <= {400, 403}
        assert orders.coupons.all() == [ko.Coupon.fixed("TENOFF", 10)]

    def test_who_may_not_manage_coupons_sees_nothing_and_changes_nothing(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        orders.coupons.create(ko.Coupon.fixed("SECRET", 10))
        nobody = site.refusing()

        for path in ("", "new", "SECRET", "SECRET/edit"):
            answer = nobody.get(coupon_url(nobody, path))
            assert answer.status == 403, path
            assert "SECRET" not in answer.text
        assert nobody.post(coupon_url(nobody, "new"), _form(code="MINE", kind="free_shipping")).status == 403
        assert (
            nobody.post(
                coupon_url(nobody, "SECRET/edit"), _form(code="SECRET", kind="fixed", value="99")
            ).status
            == 403
        )
        assert nobody.post(coupon_url(nobody, "SECRET/toggle"), {"active": "0"}).status == 403
        assert orders.coupons.all() == [ko.Coupon.fixed("SECRET", 10)]
