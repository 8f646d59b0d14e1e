"""The pytest plugin, and every example of docs/testing.md, run as a host's tests would run them."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "testing.md"
#: A fenced Python block whose first line names its file: ``# conftest.py``.
_SNIPPET = re.compile(r"```python\n# (?P<path>\S+)\n(?P<code>.*?)```", re.DOTALL)


def snippets() -> dict[str, str]:
    """The docs' files, by path: the pytest examples, and ``shop/tests.py`` for Django."""
    found = {match["path"]: match["code"] for match in _SNIPPET.finditer(DOC.read_text(encoding="utf-8"))}
    assert "conftest.py" in found and "shop/tests.py" in found, sorted(found)
    return found


def test_the_fixture_is_there_without_configuration_and_documented(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures", "-p", "no:cacheprovider")
    result.stdout.re_match_lines([r"kasify_orders -- .*kasify_orders[/\\]testing\.py"])
    result.stdout.fnmatch_lines(["*An :class:`~kasify_orders.Orders` on an empty SQLite database*"])


def test_the_plugin_can_be_turned_off(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_uses_it(kasify_orders):\n    pass\n")
    result = pytester.runpytest("-p", "no:kasify_orders", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'kasify_orders' not found*"])


def test_each_test_gets_its_own_empty_database(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(snippets()["conftest.py"])  # the cart
    pytester.makepyfile(
        test_isolation="""
        import pytest

        @pytest.mark.parametrize("attempt", [1, 2])
        def test_starts_empty(kasify_orders, cart, attempt):
            assert kasify_orders.count() == 0
            assert kasify_orders.place(cart).number == 1
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_the_pytest_examples_of_the_docs_run(pytester: pytest.Pytester) -> None:
    examples = {path: code for path, code in snippets().items() if not path.startswith("shop/")}
    if importlib.util.find_spec("flask") is None:  # the core's examples run without any extra
        examples = {path: code for path, code in examples.items() if "flask" not in path}
    for path, code in examples.items():
        target = pytester.path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(code, encoding="utf-8")
    tests = sum(code.count("\ndef test_") for code in examples.values())

    result = pytester.runpytest("-p", "no:cacheprovider")

    result.assert_outcomes(passed=tests)
    assert tests >= 4


def test_the_django_examples_of_the_docs_run(tmp_path: Path) -> None:
    pytest.importorskip("django")
    project = tmp_path / "django_shop"
    shutil.copytree(ROOT / "contrib" / "django_shop", project, ignore=shutil.ignore_patterns("*.sqlite3"))
    (project / "shop" / "tests.py").write_text(snippets()["shop/tests.py"], encoding="utf-8")
    env = {**os.environ, "SHOP_DATABASE": str(tmp_path / "shop.sqlite3")}
    env.pop("DJANGO_SETTINGS_MODULE", None)

    done = subprocess.run(
        [sys.executable, str(project / "manage.py"), "test", "shop", "--noinput"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "Ran 3 tests" in done.stderr and "OK" in done.stderr
