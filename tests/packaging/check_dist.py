"""Check the built wheel and sdist: contents, metadata, and a clean install that runs.

Run by ``tox -e package`` after ``python -m build``: ``python tests/packaging/check_dist.py DIST``.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
import venv
import zipfile
from pathlib import Path

MUST_HAVE = [
    "kasify_orders/py.typed",
    "kasify_orders/storage/migrations/env.py",
    "kasify_orders/storage/migrations/versions/0001_initial.py",
    "kasify_orders/notifications/templates/",
    "kasify_orders/web/templates/",
    "kasify_orders/web/static/",
]


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

    with tempfile.TemporaryDirectory() as directory:
        env = Path(directory) / "venv"
        venv.create(env, with_pip=True)
        python = env / "bin" / "python"
        subprocess.run([python, "-m", "pip", "install", "--quiet", f"{wheel}[demo]"], check=True)
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
    print(f"ok: {wheel.name} and {sdist.name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
