"""What a merchant action is, declared once: its inputs, its permission, its service call, its words.

The pages (forms and buttons), the JSON API (routes and bodies), the OpenAPI document, the
``kasify-orders orders`` commands and the Django permissions are all built from these
declarations, so adding an action is one :class:`ActionSpec` (plus its domain function and
its row in :data:`kasify_orders.lifecycle.ACTIONS`), not a block in each of them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from kasify_orders.lifecycle import ACTIONS, Action, Status

if TYPE_CHECKING:
    from kasify_orders.model import Order, TimelineEvent
    from kasify_orders.service import Orders

__all__ = ["ActionSpec", "Context", "Field", "Inputs", "Money", "Registry", "Widget"]

#: An action's validated inputs, by field name.
Inputs = Mapping[str, Any]
#: How an entry point writes money: ``money(Decimal("10"), "USD") -> "$10.00"``.
Money = Callable[[Decimal, str], str]


class Widget(enum.StrEnum):
    """How the pages show a field."""

    TEXT = "text"
    TEXTAREA = "textarea"
    CHECKBOX = "checkbox"
    #: Not typed: the button beside a timeline entry carries it (which email to resend).
    HIDDEN = "hidden"
    #: A quantity per order line still to ship (``{line_id: quantity}``; the parcel's lines).
    LINES = "lines"


@attrs.frozen(kw_only=True)
class Field:
    """One input of an action: what the API body, the form and the CLI option all take."""

    #: The name in the API body, the form and the core's error paths (``"tracking_number"``).
    name: str
    #: ``str``, ``bool``, ``Decimal`` or ``dict`` (``{line_id: quantity}``, with :attr:`Widget.LINES`).
    type: type
    #: What the form's label says.
    label: str
    #: Must be given (the API refuses a body without it, the CLI makes the option required).
    required: bool = False
    #: The value when not given; None with ``nullable`` means "not given" to the service.
    default: Any = None
    #: None is a value the service understands (``amount=None``: the whole balance).
    nullable: bool = False
    #: The longest text accepted (the core checks it; the document and the form say it).
    max_length: int | None = None
    widget: Widget = Widget.TEXT
    #: Shown under the form field, and as the CLI option's and the document's description.
    hint: str = ""
    #: Known values offered (the carriers); any other non-blank value is allowed too.
    suggestions: Callable[[], Sequence[str]] | None = None
    #: What the pages say when a nullable field is left blank on the form (blank is then refused).
    blank_message: str | None = None
    #: The CLI option (default ``--<name with dashes>``; a bool that defaults to True gets ``--no-…``).
    cli_flag: str | None = None
    #: :attr:`Widget.LINES`: the units of each line the form offers (default: those left to ship).
    line_quantities: Callable[[Order], Mapping[int, int]] | None = None
    #: :attr:`Widget.LINES`: each line has a checkbox, and only the lines ticked count.
    pick_lines: bool = False

    @property
    def option(self) -> str:
        """The CLI option's name."""
        if self.cli_flag is not None:
            return self.cli_flag
        dashed = self.name.replace("_", "-")
        return f"--no-{dashed}" if self.type is bool and self.default is True else f"--{dashed}"

    @property
    def python_type(self) -> Any:
        """The annotation of the API body's attribute."""
        return self.type | None if self.nullable else self.type


@attrs.frozen(kw_only=True)
class Context:
    """What every action is called with besides its inputs."""

    #: Who acts, for the timeline.
    actor: str | None
    #: The order's version as the caller read it (None: do not check).
    expected_version: int | None = None
    #: A key making a retried call safe (refunds).
    idempotency_key: str | None = None
    #: How money is written in the messages (``"$10.00"``, ``"10.00 USD"``).
    money: Money = lambda amount, currency: f"{amount} {currency}"


def _always(_order: Order) -> bool:
    return True


def _nothing_more(_inputs: Inputs) -> tuple[str, ...]:
    return ()


@attrs.frozen(kw_only=True)
class ActionSpec:
    """One merchant action, as every entry point offers it."""

    #: The lifecycle's name for it; the statuses it applies to come from ``lifecycle.ACTIONS``.
    action: Action
    #: The words on its button (``"Mark as Shipped"``).
    label: str
    #: One line saying what it does (the API's summary, the CLI command's help).
    summary: str
    #: The service call: ``run(orders, order, inputs, context) -> the order now``.
    run: Callable[[Orders, Order, Inputs, Context], Order]
    #: What the merchant reads once it is done: ``notice(before, after, inputs, context)``.
    notice: Callable[[Order, Order, Inputs, Context], str]
    #: The kind of the timeline entry it writes (``"shipped"``).
    timeline_kind: str
    #: What a Django permission's name says the holder can do (``"mark an order shipped"``).
    may: str
    fields: tuple[Field, ...] = ()
    #: The name the host's ``authorize(permission, order)`` sees (default: the action's value).
    permission: str = attrs.field(default=attrs.Factory(lambda self: self.action.value, takes_self=True))
    #: The submit button of its form; None: the label's button submits at once (no fields).
    confirm: str | None = None
    #: ``"primary"``, ``"danger"`` or ``""``: how its button looks.
    style: str = ""
    #: The API path under the order (default: the action's value) and its operation id.
    api_path: str = attrs.field(default=attrs.Factory(lambda self: self.action.value, takes_self=True))
    operation_id: str = attrs.field(
        default=attrs.Factory(lambda self: _camel(self.action.value), takes_self=True)
    )
    #: The API's success status.
    api_status: int = 200
    #: The ``kasify-orders orders`` command (default: the action's value with dashes).
    cli_name: str = attrs.field(
        default=attrs.Factory(lambda self: self.action.value.replace("_", "-"), takes_self=True)
    )
    #: The ``orders`` subgroup its command sits in (``"returns"``: ``orders returns open``), or None.
    cli_group: str | None = None
    #: What the CLI prints once done (default: ``"Order #N: <notice>"``).
    cli_report: Callable[[Order, Order, Inputs, Context], str] | None = None
    #: Takes an idempotency key (a form's hidden field, the ``Idempotency-Key`` header, a CLI option).
    idempotent: bool = False
    #: The bool field that must be set for the key to be used (a cancel's key only keys its refund).
    key_needs: str | None = None
    #: Checks ``expected_version`` (a note never conflicts with another change).
    versioned: bool = True
    #: Whether the pages offer it for this order at all (no refund form with nothing to refund).
    offered: Callable[[Order], bool] = _always
    #: What its form shows first: ``defaults(order, authorize) -> {field: text}``.
    defaults: Callable[[Order, Callable[[str], bool]], dict[str, str]] | None = None
    #: The other permissions these inputs need (a cancel that refunds needs ``"refund"`` too).
    also_needs: Callable[[Inputs], tuple[str, ...]] = _nothing_more
    #: The button's words for this order and form (default: :attr:`label`).
    page_label: Callable[[Order, Mapping[str, str]], str] | None = None
    #: Field labels and hints the pages word for the order: ``{field: (order, money) -> words}``.
    page_labels: Mapping[str, Callable[[Order, Money], str]] = attrs.field(factory=dict)
    page_hints: Mapping[str, Callable[[Order, Money], str]] = attrs.field(factory=dict)
    #: Where the pages put its form: ``"actions"`` (the side column), ``"timeline"`` (above the
    #: timeline), ``"entry"`` (a button beside each timeline entry :attr:`for_entry` accepts),
    #: ``"returns"`` (the Returns section) or ``"return"`` (a form on each return it applies to).
    placement: str = "actions"
    #: For ``"entry"``: the button's values beside *entry* (``{field: text}``), None for no button.
    for_entry: Callable[[Order, TimelineEvent], dict[str, str] | None] | None = None
    #: Why the operation exists, for the API document (``summary`` when empty).
    description: str = ""
    #: Answers of its own the API document lists, by HTTP status (``{503: "emails are off"}``).
    responses: Mapping[int, str] = attrs.field(factory=dict)
    #: How a submitted form's inputs become the call's (a refund form with lines ticked refunds
    #: those, not the amount field's prefilled balance); None: as read.
    from_form: Callable[[Inputs], Inputs] | None = None

    @property
    def statuses(self) -> frozenset[Status]:
        """The statuses it may start from (the lifecycle's table, not a copy)."""
        return ACTIONS[self.action]

    def uses_key(self, inputs: Inputs) -> bool:
        """Whether an idempotency key applies to a call with these *inputs*."""
        return self.idempotent and (self.key_needs is None or bool(inputs.get(self.key_needs)))

    def field(self, name: str) -> Field:
        """The field called *name*."""
        return next(f for f in self.fields if f.name == name)


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


class Registry:
    """The declared actions, in the order the pages show them."""

    def __init__(self, specs: Sequence[ActionSpec] = ()) -> None:
        self._specs: dict[Action, ActionSpec] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: ActionSpec) -> ActionSpec:
        """Declare *spec*; an action is declared once."""
        if spec.action in self._specs:
            raise ValueError(f"the action {spec.action.value!r} is declared already")
        self._specs[spec.action] = spec
        return spec

    def __iter__(self) -> Iterator[ActionSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def __getitem__(self, action: Action | str) -> ActionSpec:
        return self._specs[Action(action)]

    def find(self, name: str) -> ActionSpec | None:
        """The spec of the action called *name*, or None."""
        try:
            return self._specs.get(Action(name))
        except ValueError:
            return None

    @property
    def permissions(self) -> Mapping[str, ActionSpec]:
        """Each permission name the host's ``authorize`` may see, with its action."""
        return {spec.permission: spec for spec in self}
