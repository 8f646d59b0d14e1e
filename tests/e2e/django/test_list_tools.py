"""The order list's filters, bulk actions and exports in Chromium on the Django host."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.django.conftest import DjangoSite
from tests.e2e.list_tools_flow import filter_select_confirm_print_export

pytestmark = pytest.mark.parametrize("alias", ["sqlite"], indirect=True)


def test_filter_select_confirm_print_and_export_on_the_list(django_site: DjangoSite, tmp_path: Path) -> None:
    filter_select_confirm_print_export(django_site.page, django_site.admin, django_site.orders, tmp_path)
