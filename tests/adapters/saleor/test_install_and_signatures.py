"""Manifest, install, and the signature check every webhook passes before its body is read."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from graphql import GraphQLSchema, parse, validate
from joserfc.jwk import RSAKey
from werkzeug.test import Client

import kasify_orders as ko
from kasify_orders.adapters.saleor import SaleorApp, SignatureError
from kasify_orders.adapters.saleor.graphql import DOCUMENTS
from kasify_orders.adapters.saleor.installations import Installation, Installations
from kasify_orders.adapters.saleor.signatures import SignatureVerifier, legacy_signature
from kasify_orders.model import utcnow
from tests.adapters.saleor.conftest import post_webhook, register
from tests.adapters.saleor.fake_saleor import APP_ID, TOKEN, FakeSaleor, fixture_bytes, fixture_json, sign

CREATED = fixture_bytes("01_order_created.legacy.json")


def order_count(orders: ko.Orders) -> int:
    return orders.count()


# -- the shared signature vector ------------------------------------------------------------------


def vector_installation() -> Installation:
    headers = fixture_json("00_headers.order_cancelled.json")
    return Installation(
        api_url=headers["Saleor-Api-Url"],
        domain=headers["Saleor-Domain"],
        app_id=APP_ID,
        app_token="unused",
        jwks=fixture_json("00_jwks.test.json"),
        jwks_fetched_at=utcnow(),
        installed_at=utcnow(),
    )


def no_fetch(url: str) -> object:
    raise AssertionError(f"the vector's key is cached; nothing should fetch {url}")


def test_the_shared_vector_verifies(saleor_orders: ko.Orders) -> None:
    verifier = SignatureVerifier(Installations(saleor_orders.store), fetch=no_fetch)
    body = fixture_bytes("03_order_cancelled.filterable_subscription.json")
    signature = fixture_json("00_headers.order_cancelled.json")["Saleor-Signature"]
    verifier.verify(vector_installation(), body, signature)


@pytest.mark.parametrize("position", [0, 100, -1])
def test_a_one_byte_change_fails_the_shared_vector(saleor_orders: ko.Orders, position: int) -> None:
    verifier = SignatureVerifier(Installations(saleor_orders.store), fetch=no_fetch)
    body = bytearray(fixture_bytes("03_order_cancelled.filterable_subscription.json"))
    body[position] ^= 0x01
    signature = fixture_json("00_headers.order_cancelled.json")["Saleor-Signature"]
    with pytest.raises(SignatureError, match="does not match"):
        verifier.verify(vector_installation(), bytes(body), signature)


def test_the_vector_signature_over_another_body_fails(saleor_orders: ko.Orders) -> None:
    verifier = SignatureVerifier(Installations(saleor_orders.store), fetch=no_fetch)
    signature = fixture_json("00_headers.order_cancelled.json")["Saleor-Signature"]
    with pytest.raises(SignatureError):
        verifier.verify(vector_installation(), CREATED, signature)


def test_the_vector_applies_end_to_end(make_app: Callable[..., SaleorApp], saleor_orders: ko.Orders) -> None:
    """Install the vector's Saleor by hand, place #2087 by legacy HMAC webhook, cancel it with the vector."""
    headers = fixture_json("00_headers.order_cancelled.json")
    app = make_app(legacy_secret="s3cret", fetch_jwks=no_fetch)
    installation = vector_installation()
    app.installations.save(
        api_url=installation.api_url,
        domain=installation.domain,
        app_id=APP_ID,
        app_token="unused",
        jwks=installation.jwks,
    )
    client = Client(app)
    created = client.post(
        "/api/webhooks",
        data=CREATED,
        headers={
            "Saleor-Api-Url": installation.api_url,
            "Saleor-Event": "order_created",
            "Saleor-Signature": legacy_signature(CREATED, "s3cret"),
        },
    )
    assert created.status_code == 200, created.get_data(as_text=True)
    body = fixture_bytes("03_order_cancelled.filterable_subscription.json")
    cancelled = client.post("/api/webhooks", data=body, headers=headers)
    assert cancelled.status_code == 200, cancelled.get_data(as_text=True)
    assert cancelled.json == {"success": True, "outcome": "cancelled", "event": "ORDER_CANCELLED"}
    order = saleor_orders.list().items[0]
    assert order.status is ko.Status.CANCELLED


# -- manifest and install ---------------------------------------------------------------------------


def test_every_graphql_document_is_valid_against_saleors_schema(schema: GraphQLSchema) -> None:
    for name, document in DOCUMENTS.items():
        assert [error.message for error in validate(schema, parse(document))] == [], name


def test_the_manifest(client: Client, schema: GraphQLSchema) -> None:
    response = client.get("/api/manifest", base_url="https://kasify.example.com/saleor/")
    assert response.status_code == 200
    manifest = response.json
    assert manifest["tokenTargetUrl"] == "https://kasify.example.com/saleor/api/register"
    assert manifest["appUrl"] == "https://kasify.example.com/saleor/"
    assert set(manifest["permissions"]) == {
        "MANAGE_ORDERS",
        "HANDLE_PAYMENTS",
        "MANAGE_PLUGINS",
        "MANAGE_APPS",
    }
    [webhook] = manifest["webhooks"]
    assert webhook["targetUrl"] == "https://kasify.example.com/saleor/api/webhooks"
    assert set(webhook["asyncEvents"]) == {
        "ORDER_CREATED",
        "ORDER_CONFIRMED",
        "ORDER_FULLY_PAID",
        "ORDER_CANCELLED",
        "ORDER_FULFILLED",
        "FULFILLMENT_TRACKING_NUMBER_UPDATED",
        "ORDER_REFUNDED",
        "ORDER_FULLY_REFUNDED",
        "ORDER_UPDATED",
        "APP_DELETED",
    }
    assert validate(schema, parse(webhook["query"])) == []


def test_install_stores_the_token_app_id_and_jwks(client: Client, app: SaleorApp, saleor: FakeSaleor) -> None:
    response = register(client, saleor.api_url)
    assert response.status_code == 200
    assert response.json == {"success": True}
    installation = app.installations.get(saleor.api_url)
    assert installation is not None
    assert (installation.app_token, installation.app_id, installation.active) == (TOKEN, APP_ID, True)
    assert installation.jwks is not None
    assert [key["kid"] for key in installation.jwks["keys"]] == [saleor.published[0].kid]
    assert saleor.calls_named("KasifyAppId") == [{}]
    assert saleor.jwks_fetches == 1


def test_install_from_a_url_not_allowed_is_refused(
    make_app: Callable[..., SaleorApp], saleor: FakeSaleor
) -> None:
    app = make_app(allowed_api_urls=["https://shop.example.com/graphql/"])
    response = register(Client(app), saleor.api_url)
    assert response.status_code == 403
    assert response.json["error"]["code"] == "SALEOR_URL_PROHIBITED"
    assert app.installations.get(saleor.api_url) is None
    assert saleor.calls == []


def test_install_with_a_token_saleor_rejects_is_refused(
    client: Client, app: SaleorApp, saleor: FakeSaleor
) -> None:
    response = register(client, saleor.api_url, token="forged")
    assert response.status_code == 401
    assert "does not work" in response.json["error"]["message"]
    assert app.installations.get(saleor.api_url) is None


@pytest.mark.parametrize(
    ("headers", "body", "code"),
    [
        ({}, {"auth_token": "x"}, "MISSING_SALEOR_API_URL"),
        (
            {"Saleor-Api-Url": "http://shop.example.com/graphql/"},
            {"auth_token": "x"},
            "INVALID_SALEOR_API_URL",
        ),
        ({"Saleor-Api-Url": "ftp://127.0.0.1/graphql/"}, {"auth_token": "x"}, "INVALID_SALEOR_API_URL"),
        ({"Saleor-Api-Url": "http://127.0.0.1:9/graphql/"}, {}, "MISSING_AUTH_TOKEN"),
        ({"Saleor-Api-Url": "http://127.0.0.1:9/graphql/"}, ["x"], "MISSING_AUTH_TOKEN"),
    ],
)
def test_bad_install_requests_say_what_is_wrong(
    client: Client, app: SaleorApp, headers: dict[str, str], body: object, code: str
) -> None:
    response = client.post("/api/register", data=json.dumps(body), headers=headers)
    assert response.status_code == 400
    assert response.json["success"] is False
    assert response.json["error"]["code"] == code
    assert app.installations.all() == []


def test_the_app_refuses_orders_that_manage_inventory(database_url: str) -> None:
    with (
        ko.Orders.connect(database_url, load_entrypoints=False, migrate=False) as orders,
        pytest.raises(ValueError, match="manage_inventory=False"),
    ):
        SaleorApp(orders, allowed_api_urls=[])


# -- webhooks: who may send them --------------------------------------------------------------------


def test_a_signed_webhook_is_applied(client: Client, installed: FakeSaleor, saleor_orders: ko.Orders) -> None:
    response = post_webhook(client, installed, "order_created", CREATED)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["outcome"] == "placed"
    assert order_count(saleor_orders) == 1


@pytest.mark.parametrize("position", [0, 500, -2])
def test_a_tampered_body_is_refused_and_changes_nothing(
    client: Client, app: SaleorApp, installed: FakeSaleor, saleor_orders: ko.Orders, position: int
) -> None:
    signature = sign(CREATED, installed.published[0])
    tampered = bytearray(CREATED)
    tampered[position] ^= 0x01
    response = post_webhook(client, installed, "order_created", bytes(tampered), signature=signature)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "INVALID_SIGNATURE"
    assert order_count(saleor_orders) == 0
    # the genuine body is still accepted afterwards: the refusal recorded nothing
    assert post_webhook(client, installed, "order_created", CREATED, signature=signature).status_code == 200


@pytest.mark.parametrize(
    ("missing", "code"),
    [("Saleor-Signature", "INVALID_SIGNATURE"), ("Saleor-Api-Url", "MISSING_SALEOR_API_URL")],
)
def test_missing_headers_are_refused(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders, missing: str, code: str
) -> None:
    response = post_webhook(client, installed, "order_created", CREATED, headers={missing: ""})
    assert response.status_code == 401
    assert response.json["error"]["code"] == code
    assert order_count(saleor_orders) == 0


def test_a_signed_webhook_without_its_event_name_is_a_bad_request(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    response = post_webhook(client, installed, "order_created", CREATED, headers={"Saleor-Event": ""})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "MISSING_SALEOR_EVENT"
    assert order_count(saleor_orders) == 0


def test_a_webhook_from_a_saleor_that_never_installed_is_refused(
    client: Client, saleor: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    response = post_webhook(client, saleor, "order_created", CREATED)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "NOT_INSTALLED"
    assert order_count(saleor_orders) == 0
    assert saleor.jwks_fetches == 0


def test_a_removed_installation_is_refused(
    client: Client, app: SaleorApp, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    assert app.installations.remove(installed.api_url) is True
    assert app.installations.remove(installed.api_url) is False
    response = post_webhook(client, installed, "order_created", CREATED)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "NOT_INSTALLED"
    assert order_count(saleor_orders) == 0
    # reinstalling makes it active again
    assert register(client, installed.api_url).status_code == 200
    assert post_webhook(client, installed, "order_created", CREATED).status_code == 200


def test_a_rotated_key_is_fetched_once_then_cached(
    client: Client, installed: FakeSaleor, keys: list[RSAKey], saleor_orders: ko.Orders
) -> None:
    installed.published = [keys[0], keys[1]]  # Saleor rotated in a new key after the install
    fetches = installed.jwks_fetches
    response = post_webhook(client, installed, "order_created", CREATED, key=keys[1])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert installed.jwks_fetches == fetches + 1
    again = post_webhook(client, installed, "order_confirmed", CREATED, key=keys[1])
    assert again.status_code == 200
    assert installed.jwks_fetches == fetches + 1


def test_an_unknown_key_id_refetches_once_and_is_refused(
    client: Client, installed: FakeSaleor, keys: list[RSAKey], saleor_orders: ko.Orders
) -> None:
    fetches = installed.jwks_fetches
    response = post_webhook(client, installed, "order_created", CREATED, key=keys[2])
    assert response.status_code == 401
    assert "unknown signing key" in response.json["error"]["message"]
    assert installed.jwks_fetches == fetches + 1
    assert order_count(saleor_orders) == 0


def test_unknown_key_ids_do_not_refetch_within_the_minimum_interval(
    make_app: Callable[..., SaleorApp], installed: FakeSaleor, keys: list[RSAKey]
) -> None:
    client = Client(make_app(jwks_min_refetch_seconds=3600))
    fetches = installed.jwks_fetches
    for _ in range(3):
        response = post_webhook(client, installed, "order_created", CREATED, key=keys[2])
        assert response.status_code == 401
    assert installed.jwks_fetches == fetches  # the install fetched them moments ago


def test_a_key_id_naming_a_published_key_with_another_keys_signature_fails(
    client: Client, installed: FakeSaleor, keys: list[RSAKey], saleor_orders: ko.Orders
) -> None:
    signature = sign(CREATED, keys[2], kid=keys[0].kid)
    response = post_webhook(client, installed, "order_created", CREATED, signature=signature)
    assert response.status_code == 401
    assert order_count(saleor_orders) == 0


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ({"alg": "HS256"}, "must use RS256"),
        ({"b64": True}, "raw body"),
        ({"crit": []}, "raw body"),
    ],
)
def test_signatures_in_another_form_are_refused(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders, header: dict[str, object], message: str
) -> None:
    good = sign(CREATED, installed.published[0])
    import base64

    protected = json.loads(base64.urlsafe_b64decode(good.split(".")[0] + "=="))
    protected.update(header)
    forged_header = base64.urlsafe_b64encode(json.dumps(protected).encode()).rstrip(b"=").decode()
    forged = f"{forged_header}..{good.split('.')[2]}"
    response = post_webhook(client, installed, "order_created", CREATED, signature=forged)
    assert response.status_code == 401
    assert message in response.json["error"]["message"]
    assert order_count(saleor_orders) == 0


def test_an_attached_payload_jws_is_refused(client: Client, installed: FakeSaleor) -> None:
    good = sign(CREATED, installed.published[0])
    head, _, tail = good.split(".")
    response = post_webhook(client, installed, "order_created", CREATED, signature=f"{head}.e30.{tail}")
    assert response.status_code == 401
    assert "detached" in response.json["error"]["message"]


def test_the_legacy_hmac_is_accepted_only_with_the_secret(
    make_app: Callable[..., SaleorApp], installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    hmac_signature = legacy_signature(CREATED, "webhook-secret")
    without = Client(make_app())
    response = post_webhook(without, installed, "order_created", CREATED, signature=hmac_signature)
    assert response.status_code == 401
    assert "no legacy webhook secret" in response.json["error"]["message"]
    wrong = Client(make_app(legacy_secret="another-secret"))
    assert (
        post_webhook(wrong, installed, "order_created", CREATED, signature=hmac_signature).status_code == 401
    )
    assert order_count(saleor_orders) == 0
    right = Client(make_app(legacy_secret="webhook-secret"))
    assert (
        post_webhook(right, installed, "order_created", CREATED, signature=hmac_signature).status_code == 200
    )
    assert order_count(saleor_orders) == 1
