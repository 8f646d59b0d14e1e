"""``manage.py check`` explains a misconfigured kasify in plain words, with stable ids and hints."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

import kasify_orders as ko
from kasify_orders.adapters.django import get_orders
from kasify_orders.notifications import readiness
from tests.adapters.django.conftest import BASE_KASIFY


def kasify_messages() -> list[checks.CheckMessage]:
    return [message for message in checks.run_checks() if (message.id or "").startswith("kasify_orders.")]


def test_a_correct_configuration_reports_nothing() -> None:
    assert kasify_messages() == []


@pytest.mark.parametrize(
    ("value", "check_id", "words", "hint"),
    [
        ("sqlite", "kasify_orders.E001", "must be a dict, not str", "KASIFY_ORDERS = {"),
        ({"DATABASES": "x"}, "kasify_orders.E002", "unknown keys: 'DATABASES'", "the keys are DATABASE,"),
        (
            {"DATABASE": "orders"},
            "kasify_orders.E003",
            "'orders', which is not in settings.DATABASES",
            "'default'",
        ),
        (
            {"DATABASE": "unsupported"},
            "kasify_orders.E004",
            "runs on SQLite, PostgreSQL and MySQL/MariaDB",
            "sqlite3",
        ),
        (
            {"SETTINGS": {"shop_name": "x"}},
            "kasify_orders.E005",
            '["shop_name"] is not a field of kasify_orders.Settings',
            "store_name",
        ),
        (
            {"SETTINGS": {"locked_settings": ["smtp_url"]}},
            "kasify_orders.E005",
            '["locked_settings"] cannot lock smtp_url: the editable settings are store_name',
            "store_name",
        ),
        (
            {"SETTINGS": ["x"]},
            "kasify_orders.E005",
            "must be a kasify_orders.Settings or a dict",
            "store_name",
        ),
        ({"AUTHORIZE": "myshop.nowhere.rule"}, "kasify_orders.E006", "cannot be imported", "dotted path"),
        ({"ACTOR": 42}, "kasify_orders.E006", "['ACTOR'] is not callable", "function"),
        ({"PLUGINS": ["myshop.missing_plugin"]}, "kasify_orders.E007", "cannot be imported", "hookimpl"),
        ({"PAGE_SIZE": 0}, "kasify_orders.E008", "from 1 to 500, not 0", "50"),
        (
            {"NAV_LINKS": "/admin/products/"},
            "kasify_orders.E010",
            '["NAV_LINKS"] must be a list of',
            "sidebar",
        ),
        ({"BACK_LINK": ("Back",)}, "kasify_orders.E010", '["BACK_LINK"] entries must be', "sidebar"),
        ({"LOCALE": "xx"}, "kasify_orders.E011", "[\"LOCALE\"]: unknown locale 'xx'", "active language"),
        ({"TIMEZONE": "Mars/Olympus"}, "kasify_orders.E011", "unknown time zone 'Mars/Olympus'", "TIME_ZONE"),
    ],
)
def test_each_mistake_has_its_own_id_words_and_hint(value: Any, check_id: str, words: str, hint: str) -> None:
    setting = value if not isinstance(value, dict) else {**BASE_KASIFY, **value}
    with override_settings(KASIFY_ORDERS=setting):
        found = [message for message in kasify_messages() if message.level >= checks.ERROR]
        assert [message.id for message in found] == [check_id]
        assert words in found[0].msg
        assert hint in (found[0].hint or "")
        # Using kasify anyway fails with the same words.
        with pytest.raises(ImproperlyConfigured, match="kasify|KASIFY_ORDERS"):
            get_orders()


def test_an_unsupported_database_is_also_one_migrate_skips() -> None:
    with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "DATABASE": "unsupported"}):
        assert [message.id for message in kasify_messages()] == ["kasify_orders.E004", "kasify_orders.W001"]


def test_the_pages_need_messages_sessions_and_users() -> None:
    without_messages = [
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ]
    with override_settings(MIDDLEWARE=without_messages):
        [found] = kasify_messages()
    assert found.id == "kasify_orders.E009"
    assert "need the messages" in found.msg
    assert found.hint == (
        "add 'django.contrib.messages' to INSTALLED_APPS and "
        "'django.contrib.messages.middleware.MessageMiddleware' to MIDDLEWARE"
    )


def test_every_bad_settings_value_is_reported_with_its_key_what_was_given_and_what_is_allowed() -> None:
    bad = {
        "brand_color": "red",
        "logo_url": "logo.png",
        "new_order_alert_emails": ["owner@shop.example", "not an address"],
        "smtp_timeout_seconds": "15",
        "deliver_inline": "yes",
    }
    with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "SETTINGS": bad}):
        found = [message for message in kasify_messages() if message.level >= checks.ERROR]
        assert {message.id for message in found} == {"kasify_orders.E005"}
        assert sorted(message.msg for message in found) == [
            """KASIFY_ORDERS["SETTINGS"]["deliver_inline"] must be True or False, got 'yes'""",
            """KASIFY_ORDERS["SETTINGS"]["smtp_timeout_seconds"] must be a number, got '15'""",
        ]
        # The types right, the values are checked as kasify checks them before sending an email.
        good_types = {**bad, "smtp_timeout_seconds": 15, "deliver_inline": True}
        with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "SETTINGS": good_types}):
            found = [message for message in kasify_messages() if message.level >= checks.ERROR]
            assert sorted(message.msg for message in found) == [
                """KASIFY_ORDERS["SETTINGS"]["brand_color"] must be #rrggbb, got 'red'""",
                """KASIFY_ORDERS["SETTINGS"]["logo_url"] must be an http(s):// URL, got 'logo.png'""",
                (
                    """KASIFY_ORDERS["SETTINGS"]["new_order_alert_emails"][1] must be an email address """
                    """such as orders@shop.example, got 'not an address'"""
                ),
            ]
            assert all("store_name" in (message.hint or "") for message in found)
            # Using kasify anyway fails with the same words, not a 500 at the first email.
            with pytest.raises(ImproperlyConfigured, match=r'brand_color"\] must be #rrggbb'):
                get_orders()


def test_a_settings_object_is_checked_too() -> None:
    with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "SETTINGS": ko.Settings(brand_color="red")}):
        [found] = kasify_messages()
    assert found.msg == """KASIFY_ORDERS["SETTINGS"]["brand_color"] must be #rrggbb, got 'red'"""


def test_pages_after_startprojects_admin_are_reported_as_shadowed(staff_client: Client) -> None:
    with override_settings(ROOT_URLCONF="tests.adapters.django.urls_startproject", LOGIN_URL="admin:login"):
        # What a newcomer meets: the admin's "not found" page, for staff too.
        assert staff_client.get("/admin/orders/").status_code == 404
        [found] = kasify_messages()
    assert found.id == "kasify_orders.W003"
    assert found.msg.startswith("kasify's order pages at /admin/orders/ are shadowed by an earlier URL")
    assert "/admin/orders/ reaches django.contrib.admin.sites.AdminSite.catch_all_view" in found.msg
    hint = found.hint or ""
    assert 'put path("admin/orders/", include("kasify_orders.adapters.django.urls")) before' in hint
    assert 'path("admin/", admin.site.urls)' in hint


def test_the_documented_order_reaches_kasify_and_the_admin(staff_client: Client) -> None:
    assert kasify_messages() == []
    assert staff_client.get("/admin/orders/").status_code == 200
    assert staff_client.get("/admin/").status_code == 200


def test_a_login_url_that_reaches_no_view_is_reported(client: Client) -> None:
    # Django's default LOGIN_URL, which a new startproject has no view for.
    with override_settings(LOGIN_URL="/accounts/login/"):
        assert client.get("/admin/orders/")["Location"] == "/accounts/login/?next=/admin/orders/"
        assert client.get("/accounts/login/").status_code == 404
        [found] = kasify_messages()
    assert found.id == "kasify_orders.W004"
    assert "settings.LOGIN_URL = '/accounts/login/', which reaches no view" in found.msg
    assert 'LOGIN_URL = "admin:login"' in (found.hint or "")
    with override_settings(LOGIN_URL="accounts:login"):  # a URL name that does not reverse
        assert [message.id for message in kasify_messages()] == ["kasify_orders.W004"]


def test_login_url_admin_login_sends_signed_out_visitors_to_the_admins_sign_in(client: Client) -> None:
    with override_settings(LOGIN_URL="admin:login"):
        assert kasify_messages() == []
        response = client.get("/admin/orders/")
        assert response.status_code == 302
        assert response["Location"] == "/admin/login/?next=/admin/orders/"
        assert client.get(response["Location"]).status_code == 200


def test_no_way_to_send_emails_is_a_warning_that_says_how_to_fix_it() -> None:
    with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "USE_DJANGO_MAIL": False}):
        (found,) = kasify_messages()
    assert (found.id, found.level) == ("kasify_orders.W005", checks.WARNING)
    assert "sends no emails" in found.msg and "USE_DJANGO_MAIL" in (found.hint or "")
    # An SMTP server in kasify's own settings is a way to send them.
    smtp = {**BASE_KASIFY["SETTINGS"], "smtp_url": "smtp://127.0.0.1:2525"}
    with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "USE_DJANGO_MAIL": False, "SETTINGS": smtp}):
        assert kasify_messages() == []


def test_a_placeholder_from_address_is_a_warning() -> None:
    with override_settings(DEFAULT_FROM_EMAIL="webmaster@localhost"):  # startproject's default
        (found,) = kasify_messages()
    assert found.id == "kasify_orders.W006"
    assert "'webmaster@localhost'" in found.msg and "DEFAULT_FROM_EMAIL" in (found.hint or "")


def test_the_app_warns_in_the_log_at_start_up_once(caplog: pytest.LogCaptureFixture) -> None:
    config = apps.get_app_config("kasify_orders")
    readiness._warned.pop(config, None)  # as in a fresh process
    with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "USE_DJANGO_MAIL": False}):
        config.ready()  # what django.setup() runs when a server starts
        config.ready()
    warned = [r.getMessage() for r in caplog.records if r.name == "kasify_orders.emails"]
    assert len(warned) == 1 and "sends no emails" in warned[0]
