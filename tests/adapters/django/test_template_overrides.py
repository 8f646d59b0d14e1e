"""A host restyles kasify's pages from its ``TEMPLATES`` directories: a ``kasify_orders/`` folder
there holds jinja2 templates used instead of kasify's own of the same name, which stay
reachable as ``original/<name>``. On SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

import kasify_orders as ko
from tests.adapters.django.conftest import ADMIN, page_text
from tests.helpers import new_order

ORDER_LIST = """\
{% extends "original/order_list.html" %}
{% block title %}Acme's orders{% endblock %}
{% block content %}
<p class="acme-banner">Orders of the Acme shop, {{ orders|length }} on this page</p>
{{ super() }}
{% endblock %}
"""

BASE = """\
{% extends "original/base.html" %}
{% block body_class %}acme-shop{% endblock %}
"""


def templates(dirs: list[Path], *, app_dirs: bool = True) -> list[dict[str, object]]:
    """The test host's ``TEMPLATES`` with *dirs* as its ``DIRS``."""
    engine = {**settings.TEMPLATES[0], "DIRS": [str(directory) for directory in dirs], "APP_DIRS": app_dirs}
    return [engine]


@pytest.fixture
def host_templates(tmp_path: Path) -> Iterator[Path]:
    """A host's template directory with its own ``kasify_orders/order_list.html``."""
    folder = tmp_path / "kasify_orders"
    folder.mkdir()
    (folder / "order_list.html").write_text(ORDER_LIST)
    with override_settings(TEMPLATES=templates([tmp_path])):
        yield folder


def test_a_hosts_template_changes_the_order_list(
    staff_client: Client, orders: ko.Orders, host_templates: Path
) -> None:
    orders.place(new_order())
    response = staff_client.get(f"{ADMIN}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<title>Acme's orders · Django Test Shop</title>" in body
    text = page_text(response)
    assert "Orders of the Acme shop, 1 on this page" in text
    # kasify's own list is still there, inside the host's block.
    assert "Ada Lovelace" in text and "Search" in text


def test_without_an_override_the_page_is_kasifys_own(staff_client: Client, orders: ko.Orders) -> None:
    response = staff_client.get(f"{ADMIN}/")
    assert "<title>Orders · Django Test Shop</title>" in response.content.decode()
    assert "Acme" not in page_text(response)


def test_a_hosts_base_template_restyles_every_page_built_on_it(
    staff_client: Client, orders: ko.Orders, host_templates: Path
) -> None:
    (host_templates / "base.html").write_text(BASE)
    order = orders.place(new_order())
    for url in (f"{ADMIN}/", f"{ADMIN}/{order.id}/", f"{ADMIN}/no-such-order/"):
        response = staff_client.get(url)
        assert 'class="acme-shop"' in response.content.decode(), url
    # The printable packing slip is a page of its own, not built on base.html.
    assert "acme-shop" not in staff_client.get(f"{ADMIN}/{order.id}/packing-slip/").content.decode()
    # The overridden list extends kasify's list, which extends the host's base.
    assert "Orders of the Acme shop" in page_text(staff_client.get(f"{ADMIN}/"))


def test_the_first_directory_with_the_template_wins(
    staff_client: Client, orders: ko.Orders, tmp_path: Path
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for directory, words in ((first, "from the first"), (second, "from the second")):
        (directory / "kasify_orders").mkdir(parents=True)
        (directory / "kasify_orders" / "order_list.html").write_text(
            ORDER_LIST.replace("Orders of the Acme shop", words)
        )
    with override_settings(TEMPLATES=templates([tmp_path / "missing", first, second])):
        text = page_text(staff_client.get(f"{ADMIN}/"))
    assert "from the first" in text and "from the second" not in text
