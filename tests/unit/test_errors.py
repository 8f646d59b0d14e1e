"""Every error kasify raises on purpose is a KasifyError defined in errors.py, and no bare builtin leaks."""

from __future__ import annotations

import inspect
from email.message import EmailMessage

import pytest

import kasify_orders as ko
from kasify_orders import errors
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
