"""The order page's action forms, made from the action registry: what each shows, and what it sent.

:func:`form_for` builds one :class:`ActionForm` (its fields with their values and errors) from
an :class:`~kasify_orders.registry.ActionSpec`; :func:`read_form` turns a submitted form back
into the action's inputs, or a :class:`FormProblem` saying what to fix. The template renders
every form with one loop, so a new action needs no template change.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence

import attrs

from kasify_orders import i18n, money
from kasify_orders.errors import FieldError
from kasify_orders.model import Order
from kasify_orders.registry import ActionSpec, Field, Inputs, Money, Widget
from kasify_orders.web.formatting import sentence

__all__ = [
    "FORM_KEY",
    "OTHER",
    "ActionForm",
    "Failure",
    "FormField",
    "FormProblem",
    "choice_of",
    "form_for",
    "other_field",
    "read_form",
]

#: The hidden field of the idempotent actions' forms (refund, cancel): a key made when the page
#: is rendered, so a double click or a browser's retry of one submission refunds once.
FORM_KEY = "idempotency_key"
_TICKED = {"on", "true", "1", "yes"}
#: The select's "Other…" choice of a field with known values (the carrier): the value is then the
#: text typed in the field ``<name>_other`` beside it (:func:`other_field`).
OTHER = "other"


def other_field(name: str) -> str:
    """The free-text field read when "Other…" is chosen (``carrier`` -> ``carrier_other``)."""
    return f"{name}_other"


def choice_of(value: str, choices: Sequence[str]) -> tuple[str, str]:
    """Which option of *choices* shows *value*, and the "Other…" text: ``("UPS", "")``, ``("other", "Evri")``.

    A known value matches without case or spaces (``"ups"`` selects ``"UPS"``); a blank one
    selects nothing; any other is "Other…" with the value in its text field.
    """
    key = "".join(value.split()).lower()
    if not key:
        return "", ""
    for choice in choices:
        if "".join(choice.split()).lower() == key:
            return choice, ""
    return (OTHER, "") if value == OTHER else (OTHER, value)


@attrs.frozen
class Failure:
    """Why an action's form failed: the page's status, errors by field, a sentence on top."""

    status: int
    errors: dict[str, list[str]] = attrs.field(factory=dict)
    message: str | None = None


class FormProblem(Exception):
    """The form cannot be read (or may not be sent): nothing was done."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message or "; ".join(m for ms in failure.errors.values() for m in ms))
        self.failure = failure


@attrs.frozen
class FormField:
    """One field of a form, as the template shows it."""

    name: str
    label: str
    #: ``"text"``, ``"textarea"`` or ``"checkbox"``.
    widget: str
    value: str
    hint: str
    errors: Sequence[str]
    required: bool
    max_length: int | None
    #: The ``<datalist>`` of suggestions (the carriers), if any.
    suggestions: Sequence[str]
    #: An amount: the keyboard for digits.
    decimal: bool
    #: Shown as a select of these plus "Other…" (the carriers); empty: a text field.
    choices: Sequence[str] = ()
    #: The option selected: one of :attr:`choices`, :data:`OTHER` or "" (none yet).
    selected: str = ""
    #: The text of the "Other…" field (a carrier not in the list).
    other: str = ""
    #: The "Other…" text field's name.
    other_name: str = ""
    #: A parcel's lines (widget ``"lines"``): ``(input name, what the line is, quantity shown, left)``.
    lines: Sequence[tuple[str, str, str, int]] = ()
    #: Each line has a checkbox (``pick-<line id>``; a refund's lines): the names of those ticked.
    pick: bool = False
    picked: Sequence[str] = ()


@attrs.frozen
class ActionForm:
    """An action the merchant may take now, with what its form shows."""

    action: str
    label: str
    url: str
    values: Mapping[str, str]
    errors: Mapping[str, list[str]]
    error: str | None
    #: The form is shown open: it failed and the merchant should see why.
    open: bool
    fields: Sequence[FormField] = ()
    #: The submit button's words; None: the label's button submits at once.
    confirm: str | None = None
    style: str = ""
    placement: str = "actions"


def _defaults(spec: ActionSpec, order: Order, may: Callable[[str], bool]) -> dict[str, str]:
    """What the form shows before the merchant types; an idempotent form gets a fresh key."""
    if spec.defaults is not None:
        values = spec.defaults(order, may)
    else:
        values = {f.name: "on" if f.default is True else "" for f in spec.fields}
    if spec.idempotent:
        values[FORM_KEY] = uuid.uuid4().hex
    return values


def form_for(
    spec: ActionSpec,
    order: Order,
    *,
    url: str,
    may: Callable[[str], bool],
    amount: Money,
    failure: Failure | None = None,
    sent: Mapping[str, str] | None = None,
) -> ActionForm:
    """The form of *spec* for *order*; after a failure, with what was *sent* and why it failed."""
    values = _defaults(spec, order, may)
    if sent is not None:  # what the merchant typed stays in the form
        values.update({f.name: sent.get(f.name, "") for f in spec.fields if f.name in values})
        values.update(
            {name: text for name, text in sent.items() if name.startswith((LINE_PREFIX, PICK_PREFIX))}
        )
        values.update({other_field(f.name): sent.get(other_field(f.name), "") for f in spec.fields})
    errors = failure.errors if failure else {}
    fields = [
        _form_field(spec, f, order=order, values=values, errors=errors.get(f.name, []), amount=amount)
        for f in spec.fields
        if f.name in values  # a field the defaults leave out is not offered (a refund to nobody)
    ]
    return ActionForm(
        spec.action.value,
        spec.page_label(order, values) if spec.page_label else i18n.gettext(spec.label),
        url,
        values,
        errors,
        failure.message if failure else None,
        failure is not None,
        fields,
        spec.page_label(order, values) if spec.page_label and spec.confirm else _translated(spec.confirm),
        spec.style,
        spec.placement,
    )


def _translated(text: str | None) -> str | None:
    """*text* in the active language; None and "" as they are (gettext("") is the catalog's header)."""
    return i18n.gettext(text) if text else text


def _form_field(
    spec: ActionSpec,
    f: Field,
    *,
    order: Order,
    values: Mapping[str, str],
    errors: Sequence[str],
    amount: Money,
) -> FormField:
    suggestions = list(f.suggestions()) if f.suggestions else []
    value = values.get(f.name, "")
    # The carrier is chosen from a select with "Other…" (the spec's "select the carrier"); any
    # other field's suggestions stay suggestions of a text field.
    choices = suggestions if f.name == "carrier" else ()
    lines: list[tuple[str, str, str, int]] = []
    if f.widget is Widget.LINES:
        by_id = {line.id: line for line in order.lines}
        offered = f.line_quantities(order) if f.line_quantities else order.remaining_quantities()
        for line_id, left in offered.items():
            line = by_id[line_id]
            name = f"{LINE_PREFIX}{line_id}"
            what = f"{line.name} ({line.variant})" if line.variant else line.name
            lines.append((name, f"{what}, {line.sku}", values.get(name, str(left)), left))
    selected, other = choice_of(value, choices) if choices else ("", "")
    if selected == OTHER and not other:
        other = values.get(other_field(f.name), "")
    return FormField(
        name=f.name,
        label=spec.page_labels[f.name](order, amount)
        if f.name in spec.page_labels
        else i18n.gettext(f.label),
        widget=f.widget.value,
        value=value,
        hint=spec.page_hints[f.name](order, amount)
        if f.name in spec.page_hints
        else (i18n.gettext(f.hint) if f.hint else ""),
        errors=errors,
        required=f.required,
        max_length=f.max_length,
        suggestions=suggestions,
        decimal=f.type is not str and f.type is not bool,
        choices=choices,
        selected=selected,
        other=other,
        other_name=other_field(f.name) if choices else "",
        lines=lines,
        pick=f.pick_lines,
        picked=[name for name, *_rest in lines if values.get(f"{PICK_PREFIX}{name}") in _TICKED],
    )


def form_key(form: Mapping[str, str]) -> str | None:
    """The submission's key, if the form carried one (an older page's form may not)."""
    key = form.get(FORM_KEY, "").strip()
    return key or None


#: The form's quantity inputs of a parcel's lines are ``line-<line id>``.
LINE_PREFIX = "line-"
#: A line's checkbox (``pick-line-<line id>``), where lines are picked (a refund's).
PICK_PREFIX = "pick-"


def _read_lines(field: Field, form: Mapping[str, str]) -> dict[str, int] | None:
    """``{line id: quantity}`` of the quantities typed (a blank or 0 leaves the line out)."""
    chosen: dict[str, int] = {}
    given = False
    for name, typed in form.items():
        if not name.startswith(LINE_PREFIX):
            continue
        given = True
        if field.pick_lines and form.get(f"{PICK_PREFIX}{name}") not in _TICKED:
            continue  # a line not ticked is not refunded, whatever its quantity says
        text = typed.strip()
        if not text or text == "0":
            continue
        if not text.isdigit():
            message = i18n.gettext("Enter a number of units, such as 1, not “%(text)s”.") % {
                "text": text[:20]
            }
            raise FormProblem(Failure(400, {field.name: [message]}))
        chosen[name.removeprefix(LINE_PREFIX)] = int(text)
    return chosen if given else None


def _read(field: Field, form: Mapping[str, str]) -> object:
    if field.widget is Widget.LINES:
        return _read_lines(field, form)
    text = form.get(field.name, "")
    if field.widget is Widget.CHECKBOX:
        return text in _TICKED
    if field.type is str:
        if field.suggestions is not None and text == OTHER:  # "Other…": the text typed beside it
            return form.get(other_field(field.name), "")
        return text
    text = text.strip()
    if not text:
        if field.blank_message:
            raise FormProblem(Failure(400, {field.name: [i18n.gettext(field.blank_message)]}))
        return None
    try:
        return money.parse_amount(text)
    except ValueError:
        message = i18n.gettext("Enter an amount in digits, such as 12.50, not “%(text)s”.") % {
            "text": text[:40]
        }
        raise FormProblem(Failure(400, {field.name: [message]})) from None


def read_form(spec: ActionSpec, form: Mapping[str, str]) -> Inputs:
    """The action's inputs from its submitted form (checkboxes ticked or not, amounts as Decimal)."""
    inputs = {field.name: _read(field, form) for field in spec.fields}
    return spec.from_form(inputs) if spec.from_form is not None else inputs


def failure_from(errors: Sequence[FieldError], fields: Sequence[str], *, status: int = 400) -> Failure:
    """Field errors beside their fields; those of no field of the form as one sentence on top."""
    by_field: dict[str, list[str]] = {}
    loose = []
    labels = {
        "tracking_number": i18n.N_("Tracking number"),
        "carrier": i18n.N_("Carrier"),
        "amount": i18n.N_("Amount"),
    }
    for error in errors:
        message = sentence(error.translated())
        if error.path.startswith("lines[") and "lines" in fields:  # a parcel's line
            line = i18n.gettext("Line %(line)s: %(message)s") % {"line": error.path[6:-1], "message": message}
            by_field.setdefault("lines", []).append(line)
        elif error.path in fields:
            by_field.setdefault(error.path, []).append(message)
        else:
            loose.append(f"{i18n.gettext(labels.get(error.path, error.path))}: {message}")
    return Failure(status, by_field, " ".join(loose) or None)
