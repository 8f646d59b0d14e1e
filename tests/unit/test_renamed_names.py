"""Names renamed when the outbox's words became "dispatch" still work, each with a DeprecationWarning."""

from __future__ import annotations

import importlib

import attrs
import pytest

import kasify_orders as ko
from kasify_orders import dispatch, errors, events


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("max_delivery_attempts", "max_dispatch_attempts"),
        ("inline_delivery_budget_seconds", "inline_dispatch_budget_seconds"),
        ("delivery_lease_seconds", "dispatch_lease_seconds"),
    ],
)
def test_an_old_setting_name_warns_and_sets_the_new_one(old: str, new: str) -> None:
    with pytest.warns(DeprecationWarning, match=f"Settings.{old} is deprecated: use {new}"):
        settings = ko.Settings(**{old: 3})
    assert getattr(settings, new) == 3
    with pytest.warns(DeprecationWarning, match=f"Settings.{old} is deprecated"):
        assert getattr(settings, old) == 3
    with pytest.warns(DeprecationWarning, match=f"Settings.{old} is deprecated"):
        evolved = attrs.evolve(settings, **{old: 5})
    assert getattr(evolved, new) == 5


def test_the_new_setting_names_do_not_warn(recwarn: pytest.WarningsRecorder) -> None:
    settings = ko.Settings(
        max_dispatch_attempts=2, inline_dispatch_budget_seconds=1.0, dispatch_lease_seconds=9
    )
    assert (settings.max_dispatch_attempts, settings.dispatch_lease_seconds) == (2, 9)
    assert not recwarn.list


def test_a_misspelt_setting_is_still_refused_by_name() -> None:
    with pytest.raises(ko.ValidationError, match="max_dispatch_atempts"):
        ko.Settings(max_dispatch_atempts=2)  # type: ignore[call-arg]


def test_the_delivery_module_names_warn_and_are_the_dispatch_ones() -> None:
    delivery = importlib.import_module("kasify_orders.delivery")
    with pytest.warns(
        DeprecationWarning, match="DeliveryDeferred is deprecated: use kasify_orders.errors.DispatchDeferred"
    ):
        assert delivery.DeliveryDeferred is errors.DispatchDeferred
    with pytest.warns(
        DeprecationWarning, match="Delivery is deprecated: use kasify_orders.dispatch.Dispatcher"
    ):
        old_class = delivery.Delivery
    assert issubclass(old_class, dispatch.Dispatcher)
    assert old_class.deliver is not None and old_class.deliver_inline is not None
    with pytest.warns(DeprecationWarning, match="inline_deadline"):
        assert delivery.inline_deadline is dispatch.inline_deadline
    with pytest.raises(AttributeError):
        delivery.Nothing  # noqa: B018


def test_the_old_dispatcher_class_still_dispatches(sqlite_orders: ko.Orders) -> None:
    delivery = importlib.import_module("kasify_orders.delivery")
    with pytest.warns(DeprecationWarning):
        old = delivery.Delivery(sqlite_orders.store, sqlite_orders.hooks, sqlite_orders.settings)
    assert old.deliver([], sqlite_orders.get) == 0
    assert old.deliver_inline([], sqlite_orders.get) == 0


def test_orders_delivery_warns_and_is_the_dispatcher(sqlite_orders: ko.Orders) -> None:
    with pytest.warns(DeprecationWarning, match="Orders.delivery is deprecated: use Orders.dispatcher"):
        assert sqlite_orders.delivery is sqlite_orders.dispatcher


def test_actions_event_warns_and_names_the_event_base_class() -> None:
    from kasify_orders import actions

    with pytest.warns(DeprecationWarning, match="kasify_orders.events"):
        assert actions.Event is events.OrderEvent  # type: ignore[attr-defined]


def test_deliver_pending_is_kept_without_a_warning(
    sqlite_orders: ko.Orders, recwarn: pytest.WarningsRecorder
) -> None:
    assert sqlite_orders.deliver_pending() == 0
    assert not [w for w in recwarn.list if issubclass(w.category, DeprecationWarning)]
