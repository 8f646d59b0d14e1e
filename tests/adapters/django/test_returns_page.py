"""The Returns page on Django (tests/adapters/returns_page_contract.py), and who sees it in the sidebar."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client, override_settings

import kasify_orders as ko
from kasify_orders.adapters.django.permissions import permission_for
from kasify_orders.registry.returns import OPEN_RETURN
from tests.adapters.contract import MerchantSite
from tests.adapters.django.conftest import ADMIN, BASE_KASIFY
from tests.adapters.django.test_contract import DjangoSite
from tests.adapters.django.test_permissions import group, member
from tests.adapters.returns_page_contract import ReturnsPageContract, sidebar

BY_PERMISSION = "kasify_orders.adapters.django.authorize.by_permission"


@pytest.fixture
def site(host: str) -> MerchantSite:
    """The staff's view of a Django host's pages."""
    return DjangoSite(host)


class TestDjangoReturnsPage(ReturnsPageContract):
    """Every Returns page test, on Django, on each of its backends."""


@pytest.fixture
def by_permission(host: str) -> Iterator[str]:
    with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "DATABASE": host, "AUTHORIZE": BY_PERMISSION}):
        yield host


def test_the_returns_entry_is_only_for_who_may_open_a_return(
    client: Client, by_permission: str, orders: ko.Orders
) -> None:
    codename = permission_for(OPEN_RETURN.permission).split(".", 1)[1]
    viewers = group(by_permission, "viewers", "view_order")
    keepers = group(by_permission, "keepers", "view_order", codename)

    client.force_login(member(by_permission, "vic", viewers))
    assert "Returns" not in sidebar(client.get(f"{ADMIN}/").content.decode())
    assert client.get(f"{ADMIN}/returns/").status_code == 403
    client.force_login(member(by_permission, "kim", keepers))
    assert f'href="{ADMIN}/returns/">Returns' in sidebar(client.get(f"{ADMIN}/").content.decode())
    assert client.get(f"{ADMIN}/returns/").status_code == 200
