#!/usr/bin/env python3
"""Benchmark `playbook validate` (a whole cold process) against reading the same files.

For each size (default 1,200 and 5,000 YAML files) a synthetic playbook is generated
with bench_build's `generate()` (roles = files / 6, the rest checklists) and
committed to a fresh git repository, as a playbook lives. One first run builds what
validate keeps in .git/playbook/ (the cadence history, the files' outcomes; its time is
printed); then, --repeat times and interleaved so that machine noise hits all of them
alike:

* `playbook -C DIR validate`, a whole process, as every run after the first is;
* the same with .git/playbook/documents.marshal deleted first, so that every file is
  composed and walked again (and the cache written again): a run after every file
  changed, or the first;
* the floor: a whole `python` process that reads the same files and parses each
  with PyYAML's `yaml.load(..., Loader=yaml.CSafeLoader)`: what any tool that reads
  these files with PyYAML pays, without checking anything;
* `python -c pass`, the interpreter's own start.

It prints wall-clock medians and CPU medians (user + system of the child: less
disturbed by other work on a shared machine), the ratio validate / floor, and the
goal (issue 11: 0.4 s at 1,200 files, 1.5 s at 5,000). The playbook package is
byte-compiled first, as an installed package is: with PYTHONDONTWRITEBYTECODE set and
an editable install, every run would otherwise compile the package again.

    python scripts/bench_validate.py --quick
    python scripts/bench_validate.py                 # 1,200 and 5,000 files, 7 runs each
    python scripts/bench_validate.py --sizes 1200 --repeat 15 --profile
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench_build import generate
from benchlib import (
    GIT_ENV,
    executable,
    median,
    print_top,
    profile_rows,
    say,
    spread,
    timed,
    versions,
)

import playbook
from playbook.documentcache import CACHE_FILE

SIZES = (1_200, 5_000)
QUICK_SIZES = (120, 600)
REPEAT = 7
QUICK_REPEAT = 2
GOALS = {1_200: 0.4, 5_000: 1.5}  # seconds, whole process (issue 11)
PACKAGES = ("playbook", "PyYAML", "click", "python-dateutil")

FLOOR = """\
import sys, yaml
from pathlib import Path
root = Path(sys.argv[1])
files = [root / "playbook.yml", *sorted((root / "roles").glob("*.yml")),
         *sorted((root / "checklists").glob("*.yml"))]
for path in files:
    yaml.load(path.read_bytes().decode("utf-8"), Loader=yaml.CSafeLoader)
"""


@dataclass
class Runs:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add(self, wall: float, cpu: float) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def run(command: Sequence[str], cwd: Path, what: str) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the child, stdout) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds, done = timed(command, cwd, what, GIT_ENV, tail=2000)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, done.stdout


def make_playbook(root: Path, files: int) -> int:
    """A committed synthetic playbook of about `files` YAML files; the exact count."""
    roles = max(files // 6, 1)
    count = generate(root, roles, max(files - roles - 1, 0))
    for args in (
        ["init", "-q", "-b", "main"],
        ["config", "user.name", "Bench Runner"],
        ["config", "user.email", "bench@example.com"],
        ["config", "gc.auto", "0"],
        ["add", "-A"],
        ["commit", "-q", "--no-verify", "-m", f"Synthetic playbook, {count} files"],
    ):
        subprocess.run(["git", *args], cwd=root, env=GIT_ENV, check=True, capture_output=True)
    return count


@dataclass
class SizeResult:
    files: int
    kept: Runs = field(default_factory=Runs)  # validate with the files' outcomes kept
    cold: Runs = field(default_factory=Runs)  # validate reading every file again
    floor: Runs = field(default_factory=Runs)
    python: Runs = field(default_factory=Runs)


def bench_size(work: Path, size: int, repeat: int, profile: bool) -> SizeResult:
    root = work / f"playbook-{size}"
    result = SizeResult(make_playbook(root, size))
    validate = [*executable("playbook"), "-C", str(root), "validate"]
    floor = [sys.executable, "-c", FLOOR, str(root)]
    start = [sys.executable, "-c", "pass"]
    kept = root / ".git" / CACHE_FILE
    say(f"\n== {result.files:,} YAML files ({root}) ==")
    seconds, cpu, out = run(validate, work, "playbook validate")
    say(f"  first run (cadence history from git, every file read): {ms(seconds)}, {out.strip()}")
    for n in range(repeat):
        order = [
            (result.kept, validate, False),
            (result.cold, validate, True),
            (result.floor, floor, False),
        ]
        for runs, command, forget in order if n % 2 == 0 else reversed(order):
            if forget:
                kept.unlink(missing_ok=True)
            wall, cpu, _ = run(command, work, " ".join(command[:3]))
            runs.add(wall, cpu)
        result.python.add(*run(start, work, "python -c pass")[:2])
        say(
            f"  run {n + 1:2d}/{repeat}: validate {ms(result.kept.wall[-1]):>7} "
            f"(cpu {ms(result.kept.cpu[-1])}), every file again {ms(result.cold.wall[-1]):>7} "
            f"(cpu {ms(result.cold.cpu[-1])}), read+parse floor {ms(result.floor.wall[-1]):>7} "
            f"(cpu {ms(result.floor.cpu[-1])}), python -c pass {ms(result.python.wall[-1])}"
        )
    if profile:
        profile_run(work, root)
    return result


def profile_run(work: Path, root: Path) -> None:
    prof = work / "validate.prof"
    command = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "playbook"]
    run([*command, "-C", str(root), "validate"], work, "validate under cProfile")
    rows = profile_rows(prof)
    say("  cProfile of one run, top 15 by cumulative time (wrappers left out):")
    print_top(rows, 15, "cumtime")
    say("  top 10 by own time:")
    print_top(rows, 10, "tottime")


def summary(results: list[SizeResult]) -> None:
    say("\n== Summary: `playbook validate` (whole process) vs reading + CSafeLoader-parsing ==")
    say(
        f"{'files':>6} {'validate':>9} {'ratio':>6} {'all again':>9} {'ratio':>6} "
        f"{'floor':>8} {'python':>7} {'goal':>6}  verdict (validate; all again)"
    )
    for r in results:
        v, c, f = median(r.kept.wall), median(r.cold.wall), median(r.floor.wall)
        goal = next((g for size, g in GOALS.items() if abs(r.files - size) <= size * 0.05), None)
        verdict = ""
        if goal is not None:
            verdict = "; ".join(
                "met" if t <= goal else f"NOT met (+{ms(t - goal)})" for t in (v, c)
            )
        say(
            f"{r.files:>6,} {ms(v):>9} {v / f:>5.2f}× {ms(c):>9} {c / f:>5.2f}× {ms(f):>8} "
            f"{ms(median(r.python.wall)):>7} {'' if goal is None else f'{goal:.1f} s':>6}  {verdict}"
        )
        say(
            f"       cpu medians: validate {ms(median(r.kept.cpu))}, all again "
            f"{ms(median(r.cold.cpu))}, floor {ms(median(r.floor.cpu))}; "
            f"spread: validate {spread(r.kept.wall, ms)}, all again {spread(r.cold.wall, ms)}, "
            f"floor {spread(r.floor.wall, ms)}"
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", help=f"YAML files (default {SIZES})")
    parser.add_argument("--repeat", type=int, help=f"timed runs per size (default {REPEAT})")
    parser.add_argument("--quick", action="store_true", help="a smoke run that takes seconds")
    parser.add_argument("--profile", action="store_true", help="cProfile one run of each size")
    parser.add_argument("--work", type=Path, help="where to generate (default: a temporary folder)")
    args = parser.parse_args(argv)
    sizes = args.sizes or (QUICK_SIZES if args.quick else SIZES)
    repeat = args.repeat or (QUICK_REPEAT if args.quick else REPEAT)
    if repeat < 1 or min(sizes) < 2:
        parser.error("--repeat must be at least 1 and every size at least 2")
    compileall.compile_dir(Path(playbook.__file__).parent, quiet=1)
    say(f"bench_validate: sizes {', '.join(f'{s:,}' for s in sizes)}; {repeat} timed runs each")
    say(f"{versions(PACKAGES)}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-validate-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        results = [bench_size(work, size, repeat, args.profile) for size in sizes]
        summary(results)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    say(f"load average at the end {os.getloadavg()[0]:.1f} (2 cores: above 2, others were busy)")


if __name__ == "__main__":
    main()
