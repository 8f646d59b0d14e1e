"""Each optional part, used without its extra, says in one line what to ``pip install``.

Each case runs in a fresh interpreter where the extra's packages cannot be found, exactly as if
they were not installed (a fresh venv per extra would be much slower and say the same).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

#: Each case hides one package; the rest of every extra must be installed, else the hint would
#: name whichever other package is missing first.
EXTRAS_PACKAGES = ["flask", "flask_wtf", "wtforms", "werkzeug", "aiosmtpd", "django", "joserfc"]
pytestmark = pytest.mark.skipif(
    not all(importlib.util.find_spec(name) for name in EXTRAS_PACKAGES),
    reason=f"needs every extra installed ({', '.join(EXTRAS_PACKAGES)})",
)

#: Put first on ``sys.meta_path``: the named top-level packages (and their modules) are not found.
UNINSTALL = """
import sys

class Uninstalled:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {names!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, Uninstalled())
"""


def python(code: str, *, uninstalled: set[str]) -> subprocess.CompletedProcess[str]:
    """Run *code* in a new interpreter without the *uninstalled* packages."""
    return subprocess.run(
        [sys.executable, "-c", UNINSTALL.format(names=uninstalled) + code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def hint(feature: str, extra: str, module: str) -> str:
    return f"{feature} needs the {extra} extra ({module} is missing): pip install 'kasify-orders[{extra}]'"


def driver_hint(driver: str, module: str, fix: str) -> str:
    return f"the {driver} database driver is not installed ({module} is missing): {fix}"


@pytest.mark.parametrize(
    ("statement", "missing", "message"),
    [
        # werkzeug is Flask's own dependency: its absence was reported as "No module named 'werkzeug'".
        ("import kasify_orders.adapters.flask", "werkzeug", hint("the Flask adapter", "flask", "werkzeug")),
        ("import kasify_orders.adapters.flask", "flask_wtf", hint("the Flask adapter", "flask", "flask_wtf")),
        ("import kasify_orders.adapters.saleor", "joserfc", hint("the Saleor adapter", "saleor", "joserfc")),
        (
            "from kasify_orders.adapters.saleor.signatures import SignatureVerifier",
            "werkzeug",
            hint("the Saleor adapter", "saleor", "werkzeug"),
        ),
        ("import kasify_orders.adapters.django", "django", hint("the Django adapter", "django", "django")),
        ("from kasify_orders.demo import create_app", "aiosmtpd", hint("the demo shop", "demo", "aiosmtpd")),
        ("from kasify_orders.demo import create_app", "werkzeug", hint("the demo shop", "demo", "werkzeug")),
        (
            "import kasify_orders as ko; ko.Orders.connect('postgresql+psycopg://db.invalid/shop')",
            "psycopg",
            driver_hint("postgresql+psycopg", "psycopg", "pip install 'kasify-orders[postgresql]'"),
        ),
        (
            "import kasify_orders as ko; ko.Orders.connect('mysql+pymysql://db.invalid/shop')",
            "pymysql",
            driver_hint("mysql+pymysql", "pymysql", "pip install 'kasify-orders[mysql]'"),
        ),
        (
            "import kasify_orders as ko; ko.Orders.connect('postgresql+psycopg2://db.invalid/shop')",
            "psycopg2",
            driver_hint(
                "postgresql+psycopg2",
                "psycopg2",
                "install the psycopg2 driver, or use a postgresql+psycopg:// URL and "
                + "pip install 'kasify-orders[postgresql]'",
            ),
        ),
        (
            # SQLAlchemy's default MySQL driver is mysqlclient's MySQLdb, which no extra installs.
            "import kasify_orders as ko; ko.Orders.connect('mysql://db.invalid/shop')",
            "MySQLdb",
            driver_hint(
                "mysql+mysqldb",
                "MySQLdb",
                "pip install mysqlclient, or use a mysql+pymysql:// URL and "
                + "pip install 'kasify-orders[mysql]'",
            ),
        ),
    ],
)
def test_a_missing_extra_is_one_line_naming_the_extra(statement: str, missing: str, message: str) -> None:
    done = python(statement, uninstalled={missing})
    assert done.returncode == 1, done.stderr
    *_, last = done.stderr.strip().splitlines()
    assert last == f"kasify_orders.errors.MissingExtraError: {message}", done.stderr
    # Only kasify's error: not Python's "No module named ..." chained above it.
    assert done.stderr.count("Traceback") == 1, done.stderr
    assert "No module named" not in done.stderr, done.stderr


def test_the_missing_extra_error_is_an_import_error_and_a_kasify_error() -> None:
    code = """
import kasify_orders as ko
try:
    import kasify_orders.adapters.flask
except ImportError as error:
    print(isinstance(error, ko.KasifyError), error.name)
"""
    done = python(code, uninstalled={"flask"})
    assert done.stdout.split() == ["True", "flask"], done.stderr


def test_the_same_imports_work_with_the_extras_installed() -> None:
    code = (
        "import kasify_orders.adapters.flask, kasify_orders.adapters.saleor, kasify_orders.adapters.django\n"
        "from kasify_orders.demo import create_app\n"
    )
    done = python(code, uninstalled=set())
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("args", "missing", "message"),
    [
        (["demo"], "flask", "the demo needs Flask, Flask-WTF and aiosmtpd (flask is missing): "),
        (["demo", "--port", "0"], "aiosmtpd", "(aiosmtpd is missing): pip install 'kasify-orders[demo]'"),
        (
            ["--url", "mysql+pymysql://db.invalid/shop", "orders", "list"],
            "pymysql",
            "Error: " + driver_hint("mysql+pymysql", "pymysql", "pip install 'kasify-orders[mysql]'"),
        ),
    ],
)
def test_the_command_line_says_it_in_one_line_without_a_traceback(
    args: list[str], missing: str, message: str
) -> None:
    done = python(f"from kasify_orders.cli import main; main({args!r})", uninstalled={missing})
    assert done.returncode == 1, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert message in done.stderr and "pip install 'kasify-orders[" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
