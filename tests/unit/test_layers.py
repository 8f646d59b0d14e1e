"""The layers keep their rules: the domain loads no I/O library, web/ imports no host framework."""

import ast
import subprocess
import sys
from pathlib import Path

DOMAIN = [
    "actions",
    "addresses",
    "bulk_ship",
    "carriers",
    "change",
    "customer_messages",
    "edit_actions",
    "edit_changes",
    "editable_settings",
    "i18n",
    "i18n.formats",
    "i18n.labels",
    "errors",
    "events",
    "lifecycle",
    "line_refunds",
    "model",
    "money",
    "pricing",
    "refund_actions",
    "restocking",
    "return_actions",
    "return_model",
    "shipping_actions",
    "stock",
    "timeline",
    "utc",
    "validation",
]
FORBIDDEN = ["sqlalchemy", "flask", "django", "jinja2", "werkzeug", "alembic"]

# kasify_orders/__init__ re-exports the service (which uses the store): load the domain
# modules through a bare package object instead, so only their own imports count.
PROBE = """
import importlib.util, sys, types
spec = importlib.util.find_spec("kasify_orders")
package = types.ModuleType("kasify_orders")
package.__path__ = list(spec.submodule_search_locations)
sys.modules["kasify_orders"] = package
for module in {domain!r}:
    importlib.import_module("kasify_orders." + module)
print(sorted(name for name in {forbidden!r} if name in sys.modules))
"""


def test_the_domain_imports_no_io_library() -> None:
    code = PROBE.format(domain=DOMAIN, forbidden=FORBIDDEN)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout


#: The shared web layer (pages, API, OpenAPI, templates' Python side) serves every host: it
#: must not lean on one. An adapter (adapters/flask*.py, adapters/django/) maps its
#: framework's requests onto web/, never the other way round.
WEB = Path(__file__).resolve().parents[2] / "src" / "kasify_orders" / "web"
HOST_FRAMEWORKS = ("flask", "django", "werkzeug")


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module *path* imports (line, dotted name): import statements anywhere, in functions
    and ``TYPE_CHECKING`` blocks too, and ``importlib.import_module``/``__import__`` of a literal."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def is_host_framework(module: str) -> bool:
    """Whether *module* belongs to Flask (or its extensions, ``flask_wtf``...), Werkzeug or Django."""
    root = module.split(".", maxsplit=1)[0]
    return root in HOST_FRAMEWORKS or root.startswith("flask_")


def test_the_web_layer_imports_no_host_framework() -> None:
    modules = sorted(WEB.rglob("*.py"))
    assert WEB / "__init__.py" in modules and len(modules) > 3, modules  # the walk found web/
    offending = [
        f"{path.relative_to(WEB.parent)}:{line} imports {module}"
        for path in modules
        for line, module in imported_modules(path)
        if is_host_framework(module)
    ]
    assert offending == []


def test_the_import_finder_sees_every_way_of_importing(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import flask\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from django.http import HttpRequest\n"
        "def late():\n"
        "    import flask_wtf.csrf\n"
        "    importlib.import_module('werkzeug.wrappers')\n"
        "from . import pages\n",
        encoding="utf-8",
    )
    found = [module for _, module in imported_modules(sample) if is_host_framework(module)]
    assert found == ["flask", "django.http", "flask_wtf.csrf", "werkzeug.wrappers"]
