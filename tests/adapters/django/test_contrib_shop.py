"""contrib/django_shop runs: its one command prepares everything, and its own tests pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kasify_orders.demo.seeds import PLAN

MANAGE = Path(__file__).resolve().parents[3] / "contrib" / "django_shop" / "manage.py"


def manage(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHOP_DATABASE": str(tmp_path / "shop.sqlite3")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, str(MANAGE), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_rundemo_migrates_creates_the_staff_login_and_seeds_orders(tmp_path: Path) -> None:
    done = manage("rundemo", "--no-server", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"Seeded {len(PLAN)} orders. Sign in as demo / demo" in done.stdout
    again = manage("rundemo", "--no-server", tmp_path=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Seeded 0 orders." in again.stdout


def test_the_shops_own_tests_pass(tmp_path: Path) -> None:
    done = manage("test", "shop", "--noinput", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Ran 2 tests" in done.stderr and "OK" in done.stderr
