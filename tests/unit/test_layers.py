"""The domain stays pure: importing it loads no database, web framework or template engine."""

import subprocess
import sys

DOMAIN = [
    "actions",
    "carriers",
    "errors",
    "events",
    "lifecycle",
    "model",
    "money",
    "pricing",
    "timeline",
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
