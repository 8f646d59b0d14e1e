"""The merchant's settings layered over the code's: saved values win, locked fields keep the code's."""

from __future__ import annotations

import zoneinfo

import pytest

import kasify_orders as ko
from kasify_orders import editable_settings as editable
from kasify_orders import i18n

KINDS = ("order_confirmation", "shipping_notification", "new_order_alert")
CODE = ko.Settings(
    store_name="Code shop",
    from_email="orders@code.example",
    new_order_alert_emails=["code@shop.example"],
    disabled_emails={"shipping_notification"},
)


def test_without_saved_values_the_code_settings_are_used() -> None:
    assert editable.layer(CODE, {}, ()) is CODE


def test_saved_values_win_over_the_code_field_by_field() -> None:
    saved = {"new_order_alert_emails": ("me@shop.example",), "disabled_emails": frozenset()}
    effective = editable.layer(CODE, saved, ())
    assert effective.new_order_alert_emails == ("me@shop.example",)
    assert effective.disabled_emails == frozenset()
    assert (effective.store_name, effective.from_email) == ("Code shop", "orders@code.example")
    assert effective.smtp_timeout_seconds == CODE.smtp_timeout_seconds


def test_a_locked_field_keeps_the_code_value_whatever_was_saved() -> None:
    saved = {"from_email": "other@shop.example", "store_name": "Saved shop"}
    effective = editable.layer(CODE, saved, {"from_email"})
    assert (effective.from_email, effective.store_name) == ("orders@code.example", "Saved shop")


def test_a_saved_value_of_a_setting_that_is_not_editable_is_ignored() -> None:
    effective = editable.layer(CODE, {"smtp_url": "smtp://evil.example", "store_name": "S"}, ())
    assert (effective.smtp_url, effective.store_name) == (None, "S")


def test_locks_must_name_editable_settings() -> None:
    assert editable.check_locks(["from_email"]) == {"from_email"}
    with pytest.raises(ko.ValidationError) as refused:
        editable.check_locks(["from_email", "smtp_url"])
    (problem,) = refused.value.errors
    assert problem.path == "settings.locked_settings" and "smtp_url" in problem.message


def test_values_are_validated_and_normalised() -> None:
    clean = editable.validate_values(
        {
            "store_name": "  Ada's shop ",
            "from_email": "Ada's shop <orders@ada.example>",
            "reply_to": "  ",
            "new_order_alert_emails": "me@ada.example,\nME@ada.example; ops@ada.example",
            "disabled_emails": ["shipping_notification"],
        },
        KINDS,
    )
    assert clean == {
        "store_name": "Ada's shop",
        "from_email": "Ada's shop <orders@ada.example>",
        "reply_to": None,
        "new_order_alert_emails": ("me@ada.example", "ops@ada.example"),
        "disabled_emails": frozenset({"shipping_notification"}),
    }


def test_every_bad_field_is_named_at_once() -> None:
    with pytest.raises(ko.ValidationError) as refused:
        editable.validate_values(
            {
                "store_name": "two\nlines",
                "from_email": "",
                "reply_to": "not an address",
                "new_order_alert_emails": ["ok@shop.example", "Boss <boss@shop.example>"],
                "disabled_emails": ["order_confirmation", "weekly_digest"],
                "smtp_url": "smtp://x",
            },
            KINDS,
        )
    by_field = {problem.path: problem.message for problem in refused.value.errors}
    assert set(by_field) == {
        "store_name",
        "from_email",
        "reply_to",
        "new_order_alert_emails",
        "disabled_emails",
        "smtp_url",
    }
    assert "Boss <boss@shop.example>" in by_field["new_order_alert_emails"]
    assert (
        "'weekly_digest'" in by_field["disabled_emails"]
        and "order_confirmation" in by_field["disabled_emails"]
    )
    assert "is not an editable setting" in by_field["smtp_url"]


def test_too_many_alert_addresses_are_refused() -> None:
    many = [f"a{n}@shop.example" for n in range(editable.MAX_ALERT_ADDRESSES + 1)]
    with pytest.raises(ko.ValidationError, match="at most 20"):
        editable.validate_values({"new_order_alert_emails": many}, KINDS)


def test_changes_lists_each_changed_field_with_old_and_new_as_stored() -> None:
    after = editable.layer(CODE, {"new_order_alert_emails": ("me@shop.example",), "reply_to": None}, ())
    assert editable.changes(CODE, after) == [
        ("new_order_alert_emails", ["code@shop.example"], ["me@shop.example"])
    ]
    assert editable.changes(CODE, CODE) == []


def test_locked_settings_is_a_set_of_names_on_the_code_settings() -> None:
    assert ko.Settings(locked_settings=["from_email"]).locked_settings == frozenset({"from_email"})


# -- the time zone ----------------------------------------------------------------------------


def test_a_time_zone_is_an_iana_name_and_is_kept_as_given() -> None:
    assert editable.validate_values({"timezone": " Europe/Berlin "}, KINDS) == {"timezone": "Europe/Berlin"}
    assert editable.validate_values({"timezone": "UTC"}, KINDS) == {"timezone": "UTC"}


@pytest.mark.parametrize("bad", ["Mars/Base", "", "europe/berlin", "../../etc/passwd", 7, None])
def test_a_bad_time_zone_is_refused_saying_what_is_allowed(bad: object) -> None:
    with pytest.raises(ko.ValidationError) as refused:
        editable.validate_values({"timezone": bad, "store_name": "Fine"}, KINDS)
    (problem,) = refused.value.errors
    assert problem.path == "timezone"
    assert problem.message == (
        f"unknown time zone {bad!r}: use a name such as Europe/Berlin or America/New_York"
    )


def test_the_time_zone_error_names_the_field_and_examples() -> None:
    with pytest.raises(ko.ValidationError) as refused:
        editable.validate_values({"timezone": "Mars/Base"}, KINDS)
    assert str(refused.value.errors[0]) == (
        "timezone: unknown time zone 'Mars/Base': use a name such as Europe/Berlin or America/New_York"
    )


def test_the_zones_offered_are_every_zone_python_knows_sorted() -> None:
    zones = editable.time_zones()
    assert list(zones) == sorted(zoneinfo.available_timezones())
    assert {"UTC", "Europe/Berlin", "America/New_York"} <= set(zones)


def test_a_saved_time_zone_wins_over_the_code_unless_locked() -> None:
    code = ko.Settings(timezone="America/New_York")
    assert editable.layer(code, {"timezone": "Europe/Berlin"}, ()).timezone == "Europe/Berlin"
    assert editable.layer(code, {"timezone": "Europe/Berlin"}, {"timezone"}).timezone == "America/New_York"
    assert editable.check_locks(["timezone"]) == {"timezone"}


def test_a_time_zone_change_is_listed_old_and_new() -> None:
    after = editable.layer(CODE, {"timezone": "Europe/Berlin"}, ())
    assert editable.changes(CODE, after) == [("timezone", "UTC", "Europe/Berlin")]


def test_the_time_zone_error_is_german_on_a_german_page() -> None:
    with i18n.activate("de"), pytest.raises(ko.ValidationError) as refused:
        editable.validate_values({"timezone": "Mars/Base"}, KINDS)
    error = refused.value.errors[0]
    assert error.message.startswith("unknown time zone 'Mars/Base'")  # the API's and the logs' English
    with i18n.activate("de"):
        assert error.translated().startswith("unbekannte Zeitzone 'Mars/Base'")  # the page's
