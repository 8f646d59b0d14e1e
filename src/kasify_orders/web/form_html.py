"""The order page's action forms written in Python: the markup of ``_macros.html``'s ``action_fields``.

The order page shows four or five forms (refund, tracking, email, note…), each a dozen fields
with their labels, hints and errors; through the macros they were half of the page's time.
:func:`action_fields` writes the same markup, byte for byte, in one pass (the order page uses
it as ``{{ f|action_fields }}``); the macro stays in ``_macros.html`` for hosts' own templates,
and the tests hold the two to the same output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from kasify_orders.web.forms import FORM_KEY, ActionForm, FormField

__all__ = ["action_fields", "hidden_inputs"]

#: ``gettext`` of the page's language (the jinja environment's translations).
Gettext = Callable[[str], str]

#: The hidden label of a line's tick box, by form (as the macro's); a refund's otherwise.
_PICK_LABEL = {"open_return": "Return %(line)s"}


def hidden_inputs(csrf_field: str, csrf_token: str, version: int) -> Markup:
    """The CSRF token and the order's version, as ``_macros.html``'s ``hidden`` writes them."""
    return Markup(
        f'<input type="hidden" name="{escape(csrf_field)}" value="{escape(csrf_token)}">\n'
        f'<input type="hidden" name="version" value="{escape(version)}">\n'
    )


def _t(gettext: Gettext, message: str, **values: object) -> str:
    """As the templates' ``_()`` writes *message*: translated as markup, *values* escaped into it."""
    return str(Markup(gettext(message)) % values)


def _errors(field_id: str, errors: Sequence[str]) -> str:
    return "".join(f'  <p class="error" id="{field_id}-error">{escape(message)}</p>\n' for message in errors)


def _invalid(f: FormField, field_id: str) -> str:
    return f' aria-invalid="true" aria-describedby="{field_id}-error"' if f.errors else ""


def _hint(f: FormField) -> str:
    return f'<small class="hint">{escape(f.hint)}</small>' if f.hint else ""


def _checkbox(f: FormField, field_id: str) -> str:
    return (
        '<div class="field checkbox">\n'
        f'  <input id="{field_id}" name="{escape(f.name)}" type="checkbox" value="on"'
        f"{' checked' if f.value else ''}>\n"
        f'  <label for="{field_id}">{escape(f.label)}</label>\n'
        "</div>\n"
    )


def _lines(form: ActionForm, f: FormField, field_id: str, gettext: Gettext) -> str:
    invalid = " has-error" if f.errors else ""
    head = (
        f'<fieldset class="field parcel-lines{invalid}">\n'
        f"  <legend>{escape(f.label)}</legend>\n"
        f'  <input type="hidden" name="{escape(f.name)}" value="">\n'
    )
    out = [head]
    for name, what, value, left in f.lines:
        key = escape(name)
        pick = ""
        if f.pick:
            pick = (
                f'<input id="{field_id}-pick-{key}" name="pick-{key}" type="checkbox" value="on"'
                f"{' checked' if name in f.picked else ''}>"
                f'<label for="{field_id}-pick-{key}" class="visually-hidden">'
                f"{_t(gettext, _PICK_LABEL.get(form.action, 'Refund %(line)s'), line=what)}</label>"
            )
        out.append(
            '  <div class="parcel-line">\n'
            f"{pick}"
            f'    <label for="{field_id}-{key}">{escape(what)} '
            f"<small>({_t(gettext, '%(count)s left', count=left)})</small></label>\n"
            f'    <input id="{field_id}-{key}" name="{key}" type="number" min="0" max="{escape(left)}" '
            f'step="1" value="{escape(value)}" inputmode="numeric">\n'
            "  </div>\n"
        )
    out.append(f"{_hint(f)}{_errors(field_id, f.errors)}</fieldset>\n")
    return "".join(out)


def _choice(f: FormField, field_id: str, gettext: Gettext) -> str:
    """``choice_field``: a select of the known values plus "Other…" and its text field."""
    first = _t(gettext, "Select the carrier…") if f.required else _t(gettext, "The same carrier")
    options = "".join(
        f'    <option value="{escape(name)}"{" selected" if f.selected == name else ""}>'
        f"{escape(name)}</option>\n"
        for name in f.choices
    )
    max_length = f' maxlength="{escape(f.max_length)}"' if f.max_length else ""
    return (
        f'<div class="field choice{" has-error" if f.errors else ""}">\n'
        f'  <label for="{field_id}">{escape(f.label)}</label>\n'
        f'  <select id="{field_id}" name="{escape(f.name)}"{" required" if f.required else ""}'
        f"{_invalid(f, field_id)}>\n"
        f'    <option value=""{"" if f.selected else " selected"}>{first}</option>\n'
        f"{options}"
        f'    <option value="other"{" selected" if f.selected == "other" else ""}>'
        f"{_t(gettext, 'Other…')}</option>\n"
        "  </select>\n"
        '  <div class="other-choice">\n'
        f'    <label for="{field_id}-other">{_t(gettext, "Other carrier’s name")}</label>\n'  # noqa: RUF001
        f'    <input id="{field_id}-other" name="{escape(f.other_name)}" type="text" '
        f'value="{escape(f.other)}" autocomplete="off"{max_length}>\n'
        f'    <small class="hint">{_t(gettext, "Used when “Other…” is selected.")}</small>\n'
        "  </div>\n"
        f"{_errors(field_id, f.errors)}"
        "</div>\n\n"
    )


def _text(f: FormField, field_id: str) -> str:
    required = " required" if f.required else ""
    if f.widget == "textarea":
        control = (
            f'  <textarea id="{field_id}" name="{escape(f.name)}" rows="3"{_invalid(f, field_id)}{required}>'
            f"{escape(f.value)}</textarea>\n"
        )
    else:
        listed = f' list="{field_id}-suggestions"' if f.suggestions else ""
        decimal = ' inputmode="decimal"' if f.decimal else ""
        control = (
            f'  <input id="{field_id}" name="{escape(f.name)}" type="text" value="{escape(f.value)}" '
            f'autocomplete="off"{decimal}{listed}{required}'
            f"{_invalid(f, field_id)}>\n"
        )
        if f.suggestions:
            options = "".join(f'<option value="{escape(name)}">' for name in f.suggestions)
            control += f'<datalist id="{field_id}-suggestions">{options}</datalist>'
    return (
        f'<div class="field{" has-error" if f.errors else ""}">\n'
        f'  <label for="{field_id}">{escape(f.label)}</label>\n'
        f"{control}{_hint(f)}{_errors(field_id, f.errors)}</div>\n"
    )


def action_fields(form: ActionForm, gettext: Gettext) -> Markup:
    """The fields of *form* (its idempotency key first, if it has one), as the macro writes them."""
    out = []
    if FORM_KEY in form.values:
        out.append(f'<input type="hidden" name="{FORM_KEY}" value="{escape(form.values[FORM_KEY])}">')
    for f in form.fields:
        field_id = escape(f"{form.action}-{f.name}")
        if f.widget == "hidden":
            out.append(f'<input type="hidden" name="{escape(f.name)}" value="{escape(f.value)}">\n')
        elif f.widget == "checkbox":
            out.append(_checkbox(f, field_id))
        elif f.widget == "lines":
            out.append(_lines(form, f, field_id, gettext))
        elif f.choices:
            out.append(_choice(f, field_id, gettext))
        else:
            out.append(_text(f, field_id))
    return Markup("".join(out))
