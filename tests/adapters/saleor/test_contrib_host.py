"""The runnable host in contrib/saleor_app: the Saleor App and the order pages share one ``Orders``."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("flask")
pytest.importorskip("flask_wtf")

from tests.adapters.saleor.fake_saleor import TOKEN, FakeSaleor, fixture_bytes, sign

HOST = Path(__file__).parents[3] / "contrib" / "saleor_app" / "app.py"


def load_host() -> ModuleType:
    spec = importlib.util.spec_from_file_location("saleor_app_host", HOST)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_install_a_webhook_and_the_merchants_pages(tmp_path: Path, saleor: FakeSaleor) -> None:
    host = load_host()
    app = host.create_app(
        {
            "KASIFY_ORDERS_DATABASE_URL": f"sqlite:///{tmp_path / 'host.sqlite3'}",
            "KASIFY_SALEOR_API_URLS": saleor.api_url,
            "KASIFY_PUBLIC_URL": "https://kasify.example.com",
            "KASIFY_ADMIN_PASSWORD": "correct horse",
            "KASIFY_SECRET_KEY": "test",
        }
    )
    client = app.test_client()
    manifest = client.get("/saleor/api/manifest").get_json()
    assert manifest["tokenTargetUrl"] == "https://kasify.example.com/saleor/api/register"
    assert manifest["webhooks"][0]["targetUrl"] == "https://kasify.example.com/saleor/api/webhooks"

    registered = client.post(
        "/saleor/api/register",
        data=json.dumps({"auth_token": TOKEN}),
        headers={"Saleor-Api-Url": saleor.api_url},
        content_type="application/json",
    )
    assert registered.status_code == 200, registered.get_data(as_text=True)
    body = fixture_bytes("02_order_fully_paid.subscription.json")
    webhook = client.post(
        "/saleor/api/webhooks",
        data=body,
        headers={
            "Saleor-Api-Url": saleor.api_url,
            "Saleor-Event": "order_fully_paid",
            "Saleor-Signature": sign(body, saleor.published[0]),
        },
        content_type="application/json",
    )
    assert webhook.get_json()["outcome"] == "payment_confirmed"

    assert client.get("/admin/orders/").status_code == 401
    assert client.get("/admin/orders/", auth=("ada", "wrong")).status_code == 401
    page = client.get("/admin/orders/", auth=("ada", "correct horse"))
    assert page.status_code == 200
    assert "Jane Doe" in page.get_data(as_text=True)
    app.extensions["kasify_orders"].orders.close()
