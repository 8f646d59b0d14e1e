"""Print one line per tox cell (tests passed/failed/skipped, seconds) and the total, from tox's --result-json.

``.ci/run`` calls it after the matrix: ``python3 .ci/summary.py RESULT.json``. The last line is the
plain "N passed, N failed, N skipped" of every cell added up.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

COUNT = re.compile(r"(\d+) (passed|failed|skipped|errors?|deselected|xfailed|xpassed)")
CLOSING = re.compile(r"^=+ (.*) in ([\d.]+)s", re.MULTILINE)


def main(path: Path) -> None:
    """Print the table of the cells in the result JSON at *path*, and the total."""
    envs = json.loads(path.read_text())["testenvs"]
    total = {"passed": 0, "failed": 0, "skipped": 0}
    print(f"{'cell':<22} {'result':<7} {'passed':>7} {'failed':>7} {'skipped':>8} {'seconds':>8}")
    for name, env in envs.items():
        if name.startswith(".pkg") or "result" not in env:
            continue
        counts = {"passed": 0, "failed": 0, "skipped": 0}
        for command in env.get("test", []):
            closing = CLOSING.findall(command.get("output", ""))
            if closing:
                for number, kind in COUNT.findall(closing[-1][0]):
                    key = "failed" if kind.startswith("error") or kind == "xpassed" else kind
                    counts[key] = counts.get(key, 0) + int(number)
        for key in total:
            total[key] += counts[key]
        result = env["result"]
        status = "SKIP" if result.get("skipped") else "OK" if result.get("success") else "FAIL"
        seconds = result.get("duration", 0.0)
        print(
            f"{name:<22} {status:<7} {counts['passed']:>7} {counts['failed']:>7} {counts['skipped']:>8} "
            f"{seconds:>8.0f}"
        )
    print(f"tox: {total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
