"""Mutation score per module from mutmut's results (`make mutate` prints this table).

A mutant is killed when a test failed (or timed out) with it in place; it survived when
every test passed. The score is killed / (killed + survived); mutants no test covers are
listed apart (mutmut is told to mutate covered lines only, so they are few).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter, defaultdict

_LINE = re.compile(r"^\s*(?P<module>[\w.]+?)\.x_?\w*__mutmut_\d+: (?P<status>.+)$")
_KILLED = {"killed", "timeout"}
_SURVIVED = {"survived"}


def main() -> int:
    mutmut = sys.argv[1] if len(sys.argv) > 1 else "mutmut"
    listing = subprocess.run(
        [mutmut, "results", "--all", "true"], capture_output=True, text=True, check=False
    )
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    for line in listing.stdout.splitlines():
        match = _LINE.match(line)
        if match:
            by_module[match["module"]][match["status"].strip()] += 1
    print(f"{'module':<28} {'mutants':>8} {'killed':>7} {'survived':>9} {'other':>6} {'score':>7}")
    for module, counts in sorted(by_module.items()):
        killed = sum(counts[s] for s in _KILLED)
        survived = sum(counts[s] for s in _SURVIVED)
        other = sum(counts.values()) - killed - survived
        score = f"{killed / (killed + survived):.1%}" if killed + survived else "-"
        print(f"{module:<28} {sum(counts.values()):>8} {killed:>7} {survived:>9} {other:>6} {score:>7}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
