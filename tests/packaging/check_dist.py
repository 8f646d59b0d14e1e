"""Check the built wheel and sdist: contents, metadata, and a clean install that runs.

Run by ``tox -e package`` after ``python -m build``: ``python tests/packaging/check_dist.py DIST``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import venv
import zipfile
from pathlib import Path
from xml.etree import ElementTree

MUST_HAVE = [
    "kasify_orders/py.typed",
    "kasify_orders/storage/migrations/env.py",
    "kasify_orders/storage/migrations/versions/0001_initial.py",
    "kasify_orders/notifications/templates/",
    "kasify_orders/web/templates/",
    "kasify_orders/web/static/",
    "kasify_orders/i18n/locale/de/LC_MESSAGES/kasify_orders.mo",
]

#: The demo's own tests: with only the demo extra (and pytest) installed, they must pass.
DEMO_TESTS = ["tests/adapters/flask/test_demo.py"]
#: The tests that run the example hosts in contrib/: they must pass from the unpacked sdist.
CONTRIB_TESTS = [
    "tests/adapters/django/test_contrib_shop.py",
    "tests/adapters/saleor/test_contrib_host.py",
]
#: What those need besides the wheel: its extras, and these packages of the ``test`` group.
CONTRIB_EXTRAS = "django,saleor,flask,mysql"
CONTRIB_TEST_PACKAGES = {"graphql-core"}


def main(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    names = zipfile.ZipFile(wheel).namelist()
    for wanted in MUST_HAVE:
        assert any(name.startswith(wanted) for name in names), f"{wanted} is missing from {wheel.name}"
    assert not [name for name in names if name.startswith(("contrib/", "tests/"))], (
        "examples or tests in the wheel"
    )
    with tarfile.open(sdist) as archive:
        members = archive.getnames()
    assert any(name.endswith("/LICENSE") for name in members), "LICENSE missing from the sdist"
    assert any("/tests/" in name for name in members), "tests missing from the sdist"
    for host in ("contrib/django_shop/manage.py", "contrib/saleor_app/app.py", "contrib/flask_shop/app.py"):
        assert any(name.endswith(f"/{host}") for name in members), f"{host} missing from the sdist"

    with tempfile.TemporaryDirectory() as directory:
        env = Path(directory) / "venv"
        venv.create(env, with_pip=True)
        python = env / "bin" / "python"
        pip_install(python, f"{wheel}[demo]")
        for command in (["--help"], ["demo", "--help"], ["db", "--help"]):
            done = subprocess.run(
                [env / "bin" / "kasify-orders", *command], capture_output=True, text=True, check=True
            )
            assert "Usage:" in done.stdout, done.stdout
        script = "import kasify_orders as ko; print(ko.Orders.connect('sqlite://').list().items)"
        check = subprocess.run(
            [python, "-c", script],
            capture_output=True,
            text=True,
            check=True,
        )
        assert check.stdout.strip() == "()", check.stdout

        # The tests shipped in the sdist, run from it against the installed wheel.
        with tarfile.open(sdist) as archive:
            archive.extractall(Path(directory) / "sdist", filter="data")
        (root,) = (Path(directory) / "sdist").iterdir()
        group = tomllib.loads((root / "pyproject.toml").read_text())["dependency-groups"]["test"]
        # First with the demo extra alone: proof that it is all the demo needs.
        pip_install(python, *from_group(group, {"pytest"}))
        run_tests(python, root, DEMO_TESTS)
        pip_install(python, f"{wheel}[{CONTRIB_EXTRAS}]", *from_group(group, CONTRIB_TEST_PACKAGES))
        run_tests(python, root, CONTRIB_TESTS)
    print(f"ok: {wheel.name} and {sdist.name}")


def pip_install(python: Path, *requirements: str) -> None:
    """Install *requirements* into the environment of *python*."""
    subprocess.run([python, "-m", "pip", "install", "--quiet", *requirements], check=True)


def from_group(group: list[str | dict[str, str]], names: set[str]) -> list[str]:
    """The requirements of a dependency *group* for the projects *names* (one each, as pinned there)."""
    found = [req for req in group if isinstance(req, str) and _name(req) in names]
    assert len(found) == len(names), f"{names} are not all in {group}"
    return found


def run_tests(python: Path, root: Path, tests: list[str]) -> None:
    """Run *tests* from the unpacked sdist at *root*: every one must pass, none may skip."""
    report = root / "report.xml"
    done = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", *tests],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"{tests} fail from the sdist:\n{done.stdout}{done.stderr}"
    suite = ElementTree.parse(report).getroot().find("testsuite")
    assert suite is not None, done.stdout
    ran, skipped = int(suite.get("tests", "0")), int(suite.get("skipped", "0"))
    # A missing dependency would make them skip (importorskip), and a skip proves nothing.
    assert ran > 0 and skipped == 0, f"{tests}: {ran} ran, {skipped} skipped:\n{done.stdout}"


def _name(requirement: str) -> str:
    """The normalised project name of a requirement string (``"PyMySQL>=1.1"`` -> ``"pymysql"``)."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group()).lower()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
