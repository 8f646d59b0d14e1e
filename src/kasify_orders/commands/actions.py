"""``kasify-orders orders <action> NUMBER …``: one command per registry action, made from its fields.

``ship``, ``refund``, ``cancel``, ``hold``, ``release``… each take the order's NUMBER, one option
per field of the action (``--tracking-number``, ``--reason``, ``--no-restock``…), ``--actor``,
and, for the idempotent ones, ``--idempotency-key`` (a new key is made and printed otherwise).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import click

from kasify_orders import money
from kasify_orders.commands.base import _with_orders, console
from kasify_orders.commands.orders import orders_group
from kasify_orders.model import Order
from kasify_orders.registry import MERCHANT_ACTIONS, ActionSpec, Context, Field, Inputs
from kasify_orders.service import Orders

__all__ = ["action_command", "command_path"]

_KEY_HELP = (
    "Identifies this refund: repeat the command with the same key and nothing is refunded twice "
    "(a refund left pending is finished). Default: a new key, printed."
)


def _amount(field: Field) -> Callable[[click.Context, click.Parameter, str | None], Decimal | None]:
    def parse(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Decimal | None:
        if value is None:
            return None
        try:
            return money.parse_amount(value)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint=field.option) from None

    return parse


def _line_quantities(
    field: Field,
) -> Callable[[click.Context, click.Parameter, tuple[str, ...]], dict[int, int] | None]:
    def parse(_ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]) -> dict[int, int] | None:
        if not value:
            return None
        chosen: dict[int, int] = {}
        for item in value:
            line_id, _, quantity = item.partition("=")
            if not (line_id.strip().isdigit() and quantity.strip().isdigit()):
                raise click.BadParameter(
                    f"{item!r} is not LINE_ID=QUANTITY (such as 1=2)", param_hint=field.option
                )
            chosen[int(line_id)] = chosen.get(int(line_id), 0) + int(quantity)
        return chosen

    return parse


def _option(field: Field) -> Callable[[Any], Any]:
    """The click option of one field."""
    help_text = field.hint
    if field.suggestions is not None:
        help_text = f"{help_text.rstrip('.')}. Known: {', '.join(field.suggestions())}."
    if field.type is bool:
        if field.default is True and help_text:  # the flag turns off what is done by default
            help_text = f"Do not {help_text[0].lower()}{help_text[1:]}"
        return click.option(
            field.option,
            field.name,
            is_flag=True,
            flag_value=not field.default,
            default=bool(field.default),
            help=help_text,
        )
    if field.type is Decimal:
        return click.option(field.option, field.name, callback=_amount(field), help=help_text)
    if field.type is dict:  # a parcel's lines: --line ID=QTY, as often as there are lines
        return click.option(
            field.option, field.name, multiple=True, callback=_line_quantities(field), help=help_text
        )
    if field.required:
        return click.option(field.option, field.name, required=True, help=help_text)
    if field.nullable:
        return click.option(field.option, field.name, help=help_text)
    return click.option(
        field.option, field.name, default=field.default, show_default=bool(field.default), help=help_text
    )


def _default_report(spec: ActionSpec) -> Callable[[Order, Order, Inputs, Context], str]:
    def report(before: Order, after: Order, inputs: Inputs, context: Context) -> str:
        return f"Order #{after.number}: {spec.notice(before, after, inputs, context)}"

    return report


def _key(spec: ActionSpec, inputs: Inputs, given: str | None) -> str | None:
    """The idempotency key to use: the one given, else a new one (printed, so a retry can reuse it)."""
    if not spec.idempotent:
        return None
    if not spec.uses_key(inputs):
        if given is not None:
            assert spec.key_needs is not None
            raise click.BadParameter(
                f"only with {spec.field(spec.key_needs).option}", param_hint="--idempotency-key"
            )
        return None
    if given is not None:
        return given
    key = f"cli-{uuid.uuid4().hex}"
    console.print(f"Idempotency key: {key}", soft_wrap=True, markup=False)
    console.print("To retry this refund safely, repeat the command with --idempotency-key and this key.")
    return key


def action_command(spec: ActionSpec) -> click.Command:
    """The ``orders`` subcommand of *spec*."""
    report = spec.cli_report or _default_report(spec)

    def run(
        orders: Orders, *, number: int, actor: str, idempotency_key: str | None = None, **values: Any
    ) -> None:
        key = _key(spec, values, idempotency_key)
        before = orders.get_by_number(number)
        context = Context(actor=actor, idempotency_key=key)
        after = spec.run(orders, before, values, context)
        console.print(report(before, after, values, context), soft_wrap=True, markup=False)

    run.__name__ = f"orders_{spec.action.value}"
    run.__doc__ = f"{spec.summary} (order NUMBER)."
    command: Any = _with_orders(run)
    command = click.option("--actor", default="cli", show_default=True, help="Who acts, for the timeline.")(
        command
    )
    if spec.idempotent:
        extra = f" Only with {spec.field(spec.key_needs).option}." if spec.key_needs else ""
        command = click.option("--idempotency-key", help=_KEY_HELP + extra)(command)
    for field in reversed(spec.fields):
        command = _option(field)(command)
    command = click.argument("number", type=int)(command)
    group = orders_group if spec.cli_group is None else _subgroup(spec.cli_group)
    made: click.Command = group.command(spec.cli_name)(command)
    return made


def _subgroup(name: str) -> click.Group:
    """The ``orders <name>`` group (``orders returns``), made on first use."""
    found = orders_group.commands.get(name)
    if isinstance(found, click.Group):
        return found
    made = click.Group(
        name,
        help=f"The {name} of an order: "
        + ", ".join(spec.cli_name for spec in MERCHANT_ACTIONS if spec.cli_group == name)
        + ".",
    )
    orders_group.add_command(made)
    return made


def command_path(spec: ActionSpec) -> str:
    """The command's name under ``orders`` (``"ship"``; ``"returns open"`` in a subgroup)."""
    return spec.cli_name if spec.cli_group is None else f"{spec.cli_group} {spec.cli_name}"


#: Every action's command, by its path under ``orders`` (``"ship"``, ``"returns open"``…).
COMMANDS: dict[str, click.Command] = {command_path(spec): action_command(spec) for spec in MERCHANT_ACTIONS}
