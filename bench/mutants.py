"""The mutation score of the last `make mutants` run, per module; exits 1 below the target.

    python bench/mutants.py            # reads mutmut's results in mutants/ (run `make mutants` first)

Killed / (killed + survived + no tests + timeouts + suspicious) per module; mutants not run ("not checked":
outside the modules asked for) are counted apart. The survivors are listed in bench/mutants.md with why they
are harmless.
"""
from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

TARGET = 0.90
BIN = Path(sys.executable).parent


def results() -> dict[str, Counter]:
    out = subprocess.run([str(BIN / "mutmut"), "results", "--all", "true"], capture_output=True, text=True,
                         check=True).stdout
    per: dict[str, Counter] = defaultdict(Counter)
    for line in out.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name:
            per[re.split(r"\.x[_ǁ]", name, maxsplit=1)[0]][status] += 1
    return per


def main() -> int:
    per = {m: c for m, c in results().items() if sum(v for k, v in c.items() if k != "not checked")}
    if not per:
        print("no mutants were run: `make mutants` first")
        return 1
    print(f"{'module':42} {'killed':>7} {'total':>6} {'score':>6}  survived / no tests / timeout")
    killed = total = 0
    for module, c in sorted(per.items()):
        n = sum(v for k, v in c.items() if k != "not checked")
        killed, total = killed + c["killed"], total + n
        print(f"{module:42} {c['killed']:>7} {n:>6} {c['killed'] / n:>6.1%}  "
              f"{c['survived']} / {c['no tests']} / {c['timeout']}")
    score = killed / total
    print(f"{'all':42} {killed:>7} {total:>6} {score:>6.1%}  (target {TARGET:.0%})")
    if score < TARGET:
        print(f"MISSED: {score:.1%} of mutants killed, target {TARGET:.0%}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
