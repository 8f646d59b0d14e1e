"""The action registry: every action declared once, and every entry point made from it."""

from __future__ import annotations

import pytest

import kasify_orders as ko
from kasify_orders.lifecycle import ACTIONS
from kasify_orders.registry import MERCHANT_ACTIONS, Registry
from kasify_orders.web import problems
from kasify_orders.web.api import ROUTES
from kasify_orders.web.inputs import body_class
from kasify_orders.web.openapi import openapi_document


def test_every_lifecycle_action_is_declared_once_with_the_lifecycles_statuses() -> None:
    declared = [spec.action for spec in MERCHANT_ACTIONS]
    assert sorted(declared) == sorted(ko.Action)
    assert len(MERCHANT_ACTIONS.permissions) == len(declared)  # one permission name per action
    for spec in MERCHANT_ACTIONS:
        assert spec.statuses is ACTIONS[spec.action]  # the table itself, not a copy
    with pytest.raises(ValueError, match="'hold' is declared already"):
        Registry([MERCHANT_ACTIONS["hold"], MERCHANT_ACTIONS["hold"]])


def test_every_action_has_a_route_a_body_an_operation_and_a_cli_command() -> None:
    from kasify_orders.cli import ACTION_COMMANDS, main
    from kasify_orders.commands.actions import command_path

    routes = {route.spec.action: route for route in ROUTES if route.spec is not None}
    document = openapi_document("/api/orders")
    orders_group = main.commands["orders"]
    for spec in MERCHANT_ACTIONS:
        route = routes[spec.action]
        assert (route.method, route.path, route.permission) == (
            "POST",
            f"/{{order_id}}/{spec.api_path}",
            spec.permission,
        )
        operation = document["paths"][f"/api/orders/{{order_id}}/{spec.api_path}"]["post"]
        assert operation["operationId"] == spec.operation_id
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        assert set(schema["properties"]) - {"expected_version"} == {f.name for f in spec.fields}
        assert schema["required"] == [f.name for f in spec.fields if f.required]
        assert operation["x-kasify-statuses"] == [s.value for s in ko.Status if s in spec.statuses]
        assert body_class(spec) is route.body
        group = orders_group if spec.cli_group is None else orders_group.commands[spec.cli_group]  # type: ignore[attr-defined]
        command = group.commands[spec.cli_name]  # type: ignore[attr-defined]
        assert command is ACTION_COMMANDS[command_path(spec)]
        options = {name for param in command.params for name in param.opts}
        assert {f.option for f in spec.fields} | {"--actor"} <= options


def test_hold_is_declared_with_a_required_reason() -> None:
    hold = MERCHANT_ACTIONS["hold"]
    assert hold.permission == "hold" and hold.timeline_kind == "held" and hold.cli_name == "hold"
    assert hold.statuses == {ko.Status.PROCESSING}
    reason = hold.field("reason")
    assert reason.required and reason.max_length == 500
    assert MERCHANT_ACTIONS["release"].statuses == {ko.Status.ON_HOLD}


@pytest.mark.parametrize(
    "error",
    [
        ko.ValidationError,
        ko.OrderNotFound,
        ko.InvalidTransition,
        ko.ConcurrentUpdate,
        ko.RefundExceedsBalance,
        ko.RefundFailed,
    ],
)
def test_one_error_table_answers_every_error_an_action_raises(error: type[ko.KasifyError]) -> None:
    rule = next(rule for rule in problems.ERRORS if issubclass(error, rule.error))
    assert rule.error is error  # its own row, not a parent's
    assert problems.page_status(rule) == (400 if rule.status == 422 else rule.status)
    assert set(problems.HANDLED) == {rule.error for rule in problems.ERRORS}
