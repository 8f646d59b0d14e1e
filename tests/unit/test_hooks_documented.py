"""Every hook is documented: in hookspecs.py (each argument) and in docs/hooks.md (its signature)."""

import inspect
import re
from pathlib import Path

import pytest

from kasify_orders import hookspecs

DOCS = Path(__file__).parents[2] / "docs" / "hooks.md"
HOOKS = [
    function
    for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
    if name.startswith("kasify_")
]


def test_there_are_hooks() -> None:
    assert {hook.__name__ for hook in HOOKS} >= {"kasify_order_placed", "kasify_storage", "kasify_send_email"}


@pytest.mark.parametrize("hook", HOOKS, ids=lambda hook: hook.__name__)
def test_each_argument_is_documented_in_the_spec(hook: object) -> None:
    doc = inspect.getdoc(hook) or ""
    for argument in inspect.signature(hook).parameters:  # type: ignore[arg-type]
        assert f":param {argument}:" in doc


@pytest.mark.parametrize("hook", HOOKS, ids=lambda hook: hook.__name__)
def test_each_hook_is_in_the_docs_with_its_exact_arguments(hook: object) -> None:
    signature = f"{hook.__name__}({', '.join(inspect.signature(hook).parameters)})"  # type: ignore[attr-defined, arg-type]
    assert f"`{signature}`" in DOCS.read_text()


def test_the_generated_specification_renders_every_hook() -> None:
    # Sphinx's rule for ``.. automodule:: :members:``: the names given, else the module's
    # __all__ unless ``:ignore-module-all:``, else every documented member.
    block = re.search(r"\.\. automodule:: kasify_orders\.hookspecs\n((?:   :.*\n)*)", DOCS.read_text())
    assert block, "docs/hooks.md has no automodule of kasify_orders.hookspecs"
    options = dict(re.findall(r"   :([\w-]+):(.*)", block.group(1)))
    assert "members" in options
    if options["members"].strip():
        rendered = {name.strip() for name in options["members"].split(",")}
    elif "ignore-module-all" in options:
        rendered = {name for name, _ in inspect.getmembers(hookspecs)}
    else:
        rendered = set(hookspecs.__all__)
    assert {hook.__name__ for hook in HOOKS} <= rendered
