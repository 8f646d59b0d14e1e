"""The merchant pages' contract: what every host adapter must do, whatever its framework.

A host adapter maps its requests, users and CSRF protection onto :mod:`kasify_orders.web`
(docs/architecture.md, "The adapter contract"). These tests hold each adapter to the same
behaviour through its own test client: the pages show what the registry allows, an action
through its form applies and says so once, and every refusal (no CSRF token, a stale form,
a move the status forbids, bad input, someone who may not) changes nothing.

A new adapter runs them by subclassing :class:`MerchantPagesContract` in its test directory and
giving it a ``site`` fixture (a :class:`MerchantSite` over its test client) and the ``orders``
fixture its pages serve, as ``tests/adapters/flask/test_contract.py`` and
``tests/adapters/django/test_contract.py`` do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Protocol

import attrs

import kasify_orders as ko
from kasify_orders.lifecycle import allowed_actions
from kasify_orders.web.pages import ACTION_LABELS
from kasify_orders.web.routes import ALL_ROUTES
from tests.helpers import new_order

__all__ = ["Answer", "MerchantPagesContract", "MerchantSite", "readable"]

#: A well-formed order id that no order has.
NO_SUCH_ORDER = "0" * 32


def readable(html: str) -> str:
    """A page as a person reads it: tags dropped, entities a test compares, whitespace collapsed."""
    body = re.sub(r"<[^>]+>", " ", html)
    body = body.replace("&#39;", "'").replace("&amp;", "&").replace("&quot;", '"')
    return re.sub(r"\s+", " ", body)


@attrs.frozen
class Answer:
    """One HTTP answer, as the contract looks at it."""

    status: int
    #: The page's text (:func:`readable`).
    text: str
    #: Where a redirect points (None for any other answer).
    location: str | None = None
    #: The answer's ``Content-Type``.
    content_type: str = ""
    #: The page as sent (its HTML, or a download's text).
    raw: str = ""


class MerchantSite(Protocol):
    """One host adapter's merchant pages, driven through its test client.

    The site's user is staff, allowed every action; :meth:`refusing` is the same site for a
    signed-in user whom ``authorize`` refuses everything.
    """

    def list_url(self) -> str:
        """The order list's address."""
        ...

    def order_url(self, order_id: str) -> str:
        """An order page's address."""
        ...

    def action_url(self, order_id: str, action: str) -> str:
        """Where an action's form posts."""
        ...

    def page_url(self, path: str) -> str:
        """A back-office page's address from its route path filled in (``"coupons/SAVE10/edit"``)."""
        ...

    def get(self, url: str) -> Answer:
        """GET *url* (redirects not followed)."""
        ...

    def post(
        self,
        url: str,
        form: Mapping[str, str | Sequence[str]],
        *,
        csrf: bool = True,
        files: Mapping[str, tuple[str, bytes]] | None = None,
    ) -> Answer:
        """POST *form* to *url*, with this session's valid CSRF token unless *csrf* is False.

        A sequence value posts the field once per item (checkboxes); *files* are uploaded as
        ``{field: (filename, content)}`` in a multipart form.
        """
        ...

    def refusing(self) -> MerchantSite:
        """The same pages for a signed-in user who may do nothing."""
        ...


def _placed(orders: ko.Orders, **options: str) -> ko.Order:
    """A new order as stored once its after-commit hooks ran (a host's emails add timeline entries)."""
    return orders.get(orders.place(new_order(**options)).id)


def _act(site: MerchantSite, order: ko.Order, action: str, **fields: str) -> Answer:
    """Submit *action*'s form as the order page does (the version the page showed)."""
    return site.post(site.action_url(order.id, action), {"version": str(order.version), **fields})


class MerchantPagesContract:
    """The behaviour every adapter's merchant pages share (subclass it as ``Test...``)."""

    def test_the_list_shows_each_order_with_a_link_to_it(self, site: MerchantSite, orders: ko.Orders) -> None:
        grace = orders.place(new_order(name="Grace Hopper", email="grace@example.com"))
        alan = orders.place(new_order(name="Alan Turing", email="alan@example.com"))

        answer = site.get(site.list_url())

        assert answer.status == 200
        assert answer.text.index("Alan Turing") < answer.text.index("Grace Hopper")  # newest first
        page = site.get(site.order_url(alan.id))
        assert page.status == 200 and "Alan Turing" in page.text and "alan@example.com" in page.text
        assert site.get(site.order_url(grace.id)).status == 200

    def test_the_order_page_offers_what_the_status_allows(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        order = _placed(orders)
        allowed = allowed_actions(order.status, order.payment_status)

        page = site.get(site.order_url(order.id)).text

        assert ko.Action.CONFIRM_PAYMENT in allowed
        for action in allowed:
            assert ACTION_LABELS[action] in page, action
        assert ACTION_LABELS[ko.Action.MARK_DELIVERED] not in page  # Pending: not yet shipped

    def test_an_action_through_its_form_applies_and_says_so_once(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        order = _placed(orders)

        answer = _act(site, order, "confirm_payment")

        assert answer.status in {302, 303}
        assert answer.location is not None and answer.location.endswith(site.order_url(order.id))
        now = orders.get(order.id)
        assert now.status is ko.Status.PROCESSING
        assert now.timeline[-1].actor  # the adapter says who acted
        notice = "Payment confirmed: the order is now Processing."
        assert notice in site.get(site.order_url(order.id)).text
        assert notice not in site.get(site.order_url(order.id)).text  # shown once

    def test_a_form_without_a_valid_csrf_token_changes_nothing(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        order = _placed(orders)

        answer = site.post(
            site.action_url(order.id, "confirm_payment"), {"version": str(order.version)}, csrf=False
        )

        assert answer.status in {400, 403}  # the host's own CSRF protection answers
        assert orders.get(order.id) == order

    def test_a_stale_form_changes_nothing_and_says_why(self, site: MerchantSite, orders: ko.Orders) -> None:
        stale = _placed(orders)
        orders.add_note(stale.id, "someone else was here")
        current = orders.get(stale.id)

        answer = _act(site, stale, "confirm_payment")

        assert answer.status == 409
        assert "Someone else changed this order" in answer.text
        assert orders.get(stale.id) == current

    def test_a_move_the_status_forbids_changes_nothing(self, site: MerchantSite, orders: ko.Orders) -> None:
        order = _placed(orders)

        answer = _act(site, order, "mark_delivered")

        assert answer.status == 409
        assert "the order is Pending" in answer.text
        assert orders.get(order.id) == order

    def test_bad_input_names_the_field_and_changes_nothing(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        order = _placed(orders)
        orders.confirm_payment(order.id)
        order = orders.get(order.id)

        answer = _act(site, order, "mark_shipped", tracking_number="   ", carrier="UPS")

        assert answer.status == 400
        assert "Must not be blank." in answer.text  # beside the tracking number's field
        assert orders.get(order.id) == order

    def test_an_unknown_order_or_action_is_not_found(self, site: MerchantSite, orders: ko.Orders) -> None:
        order = _placed(orders)

        assert site.get(site.order_url(NO_SUCH_ORDER)).status == 404
        assert site.post(site.action_url(NO_SUCH_ORDER, "confirm_payment"), {"version": "1"}).status == 404
        assert site.post(site.action_url(order.id, "explode"), {"version": "1"}).status == 404
        assert orders.get(order.id) == order

    def test_who_may_not_sees_nothing_and_changes_nothing(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        order = _placed(orders, name="Secret Sam")
        nobody = site.refusing()

        for url in (nobody.list_url(), nobody.order_url(order.id)):
            answer = nobody.get(url)
            assert answer.status == 403, url
            assert "Secret Sam" not in answer.text
        assert _act(nobody, order, "confirm_payment").status == 403
        assert orders.get(order.id) == order

    def test_the_sidebar_leads_to_the_orders_on_every_page(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        order = _placed(orders)

        for url in (site.list_url(), site.order_url(order.id)):
            raw = site.get(url).raw
            sidebar = raw[raw.index('<nav class="sidebar"') : raw.index("</nav>")]
            orders_link = re.search(r'<a href="([^"]+)" aria-current="page">Orders', sidebar)
            assert orders_link is not None, url  # Orders, marked as the current section
            assert orders_link.group(1).rstrip("/") == site.list_url().rstrip("/")
        assert '<nav class="sidebar"' not in site.refusing().get(site.list_url()).raw  # may see nothing

    def test_a_phone_wide_page_opens_its_sidebar_from_a_menu_button(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        raw = site.get(site.list_url()).raw

        assert '<label for="nav-toggle" class="nav-button">' in raw
        assert '<input type="checkbox" id="nav-toggle" class="nav-toggle"' in raw

    def test_every_back_office_page_refuses_who_may_not_and_every_form_needs_its_csrf_token(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        order = _placed(orders)
        nobody = site.refusing()

        for route in ALL_ROUTES:
            path = route.path
            for param in route.params:  # any value: the refusal comes before anything is read
                path = path.replace(f"<{param}>", order.id if "order" in param else "X1")
            url = nobody.page_url(path)
            if "GET" in route.methods:
                assert nobody.get(url).status == 403, route.name
            if "POST" in route.methods:
                assert nobody.post(url, {"version": str(order.version)}).status == 403, route.name
                assert site.post(site.page_url(path), {}, csrf=False).status in {400, 403}, route.name
        assert orders.get(order.id) == order
