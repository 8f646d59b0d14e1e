"""The sidebar on a Flask host: the host's links, a way back to its admin, mistakes named at start-up."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

import kasify_orders as ko
from tests.adapters.flask.conftest import ADMIN, make_app
from tests.helpers import new_order


def _sidebar(html: str) -> str:
    return html[html.index('<nav class="sidebar"') : html.index("</nav>")]


def test_the_hosts_links_and_its_back_link_follow_kasifys_sections(orders: ko.Orders) -> None:
    app = make_app(
        orders,
        authorize=lambda action, order: True,
        KASIFY_ORDERS_NAV_LINKS=[("Products", "/admin/products"), ("Customers", "/admin/customers")],
        KASIFY_ORDERS_BACK_LINK=("Back to Shop admin", "/admin/"),
    )

    sidebar = _sidebar(app.test_client().get(f"{ADMIN}/").get_data(as_text=True))

    assert sidebar.index("Orders") < sidebar.index('href="/admin/products">Products')
    assert sidebar.index("Products") < sidebar.index("Customers")
    assert '<a href="/admin/">← Back to Shop admin</a>' in sidebar


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        (
            "KASIFY_ORDERS_NAV_LINKS",
            "/admin/products",
            'KASIFY_ORDERS_NAV_LINKS must be a list of ("label", "url")',
        ),
        ("KASIFY_ORDERS_NAV_LINKS", [("Products",)], "KASIFY_ORDERS_NAV_LINKS entries must be"),
        ("KASIFY_ORDERS_BACK_LINK", "  ", "KASIFY_ORDERS_BACK_LINK must be a URL"),
    ],
)
def test_a_mistake_in_the_sidebars_links_is_named_at_start_up(
    orders: ko.Orders, key: str, value: object, says: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(says)):
        make_app(orders, **{key: value})


def test_the_orders_entry_counts_the_orders_that_need_attention(orders: ko.Orders, database_url: str) -> None:
    late = orders.confirm_payment(orders.place(new_order(name="Late Larry")).id)
    orders.confirm_payment(orders.place(new_order(name="Fresh Fiona")).id)
    engine = sa.create_engine(database_url)
    table = sa.Table(f"{orders.settings.table_prefix}orders", sa.MetaData(), autoload_with=engine)
    with engine.begin() as conn:  # paid a fortnight ago
        conn.execute(
            table.update().where(table.c.id == late.id).values(paid_at=datetime.now(UTC) - timedelta(days=14))
        )
    engine.dispose()
    client = make_app(orders, authorize=lambda action, order: True).test_client()

    for url in (f"{ADMIN}/", f"{ADMIN}/{late.id}"):  # the list's own count, and the counters' read
        sidebar = _sidebar(client.get(url).get_data(as_text=True))
        assert re.search(
            r'Orders <span class="nav-count"[^>]*>'
            r'<span class="visually-hidden">Needs attention: </span>1</span>',
            sidebar,
        ), url
