"""Every error kasify raises on purpose is a KasifyError defined in errors.py, and no bare builtin leaks."""

from __future__ import annotations

import inspect
from email.message import EmailMessage

import pytest

import kasify_orders as ko
from kasify_orders import errors, i18n
from kasify_orders.notifications import ledger, plugin
from kasify_orders.plugins import Hooks, build_plugin_manager


def test_every_exception_in_errors_is_a_kasify_error() -> None:
    classes = [
        value for _, value in inspect.getmembers(errors, inspect.isclass) if issubclass(value, Exception)
    ]
    assert len(classes) > 15
    assert all(issubclass(kind, errors.KasifyError) for kind in classes)
    assert all(kind.__module__ == "kasify_orders.errors" for kind in classes)


@pytest.mark.parametrize(
    ("name", "builtin"),
    [
        ("NoStoragePlugin", LookupError),
        ("EmailsNotConfigured", RuntimeError),
        ("MissingExtraError", ImportError),
        ("DispatchDeferred", Exception),
        ("EmailInFlight", Exception),
        ("EmailDeliveryFailed", Exception),
        ("OutboxItemUnreadable", Exception),
    ],
)
def test_each_moved_error_is_kasify_error_and_still_its_builtin(name: str, builtin: type[Exception]) -> None:
    kind = getattr(errors, name)
    assert issubclass(kind, errors.KasifyError) and issubclass(kind, builtin)


def test_the_email_modules_raise_the_errors_of_errors_py() -> None:
    assert ledger.EmailInFlight is errors.EmailInFlight
    assert plugin.EmailsNotConfigured is errors.EmailsNotConfigured
    assert plugin.EmailDeliveryFailed is errors.EmailDeliveryFailed


def test_no_storage_plugin_is_a_kasify_error_and_a_lookup_error() -> None:
    manager = build_plugin_manager(load_entrypoints=False)
    manager.unregister(name="kasify_orders.storage")
    with pytest.raises(errors.NoStoragePlugin, match="no storage plugin accepts 'sqlite://'") as raised:
        Hooks(manager).storage("sqlite://", ko.Settings())
    assert isinstance(raised.value, LookupError) and isinstance(raised.value, ko.KasifyError)


def test_no_mail_sender_is_a_kasify_error_and_a_runtime_error() -> None:
    manager = build_plugin_manager(load_entrypoints=False)
    manager.unregister(name="kasify_orders.smtp")
    with pytest.raises(RuntimeError, match="no kasify_send_email plugin sent the message") as raised:
        Hooks(manager).send_email(EmailMessage())
    assert isinstance(raised.value, errors.EmailsNotConfigured)


def test_a_field_error_from_a_template_keeps_the_english_message_and_says_it_in_german() -> None:
    error = errors.FieldError.of(
        "note", "must be at most %(max)s characters, got %(length)s", max=500, length=612
    )
    assert error.message == "must be at most 500 characters, got 612"
    assert str(error) == "note: must be at most 500 characters, got 612"
    assert error == errors.FieldError("note", "must be at most 500 characters, got 612")  # path and message
    assert error.translated() == error.message  # English outside any locale
    with i18n.activate("de"):
        assert error.translated() == "darf höchstens 500 Zeichen lang sein, angegeben: 612"
    assert error.message == "must be at most 500 characters, got 612"  # the record stays English


def test_a_field_error_without_a_template_reads_its_message_in_every_language() -> None:
    error = errors.FieldError("code", "must not be blank")
    with i18n.activate("de"):
        assert error.translated() == "must not be blank"  # no template: nothing to translate from


def test_a_word_among_the_values_is_translated_and_a_template_without_values_is_not_formatted() -> None:
    error = errors.FieldError.of(
        "shipment_id",
        "is not a parcel of order #%(number)s (its parcels: %(ids)s)",
        number=7,
        ids=errors.Word("none"),
    )
    assert error.message == "is not a parcel of order #7 (its parcels: none)"
    with i18n.activate("de"):
        assert error.translated() == "ist kein Paket der Bestellung #7 (ihre Pakete: keine)"
    assert errors.FieldError.of("x", "100% wrong").message == "100% wrong"


def test_validation_error_single_keeps_the_template() -> None:
    raised = errors.ValidationError.single("shipment_id", "parcel %(id)s is delivered already", id="p1")
    assert str(raised) == "shipment_id: parcel p1 is delivered already"
    with i18n.activate("de"):
        assert raised.errors[0].translated() == "Paket p1 ist bereits zugestellt"
