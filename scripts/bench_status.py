#!/usr/bin/env python3
"""Benchmark `playbook status` over a long history of records.

A playbook with 20 daily checklists ("every day at HH:MM", at different times;
`--cadence weekly` for "every <weekday> at HH:MM") and 5 teams in several time
zones (`--teams` up to 20) is generated in a temporary git repository (`git init`
only: .git/ exists for the records index, nothing is committed). For every
checklist × team the latest real occurrences of its cadence (computed by
playbook's own schedule code, so status counts every one) get a record written
directly with `Record.to_yaml()`: 100,000 files in all by default. Then,
--repeat times and interleaved, as whole processes, each with its wall time and
peak resident memory:

* cold: `playbook status` after deleting the records index
  (.git/playbook/records.sqlite; the operating system's file cache is left alone);
* warm: `playbook status` with the index in place;
* history: `playbook history CHECKLIST` (every team, every occurrence), warm;
* the floor: a Python process that opens and reads every file under logs/, the
  same loop also parsing each with yaml.CSafeLoader, and
  `find logs -type f -exec cat {} + > /dev/null`;
* the start-up floor: the imports `playbook status` needs, and nothing else.

It prints medians, cold / floor, warm / imports, each against issue 11's goals
(warm ≤ 0.3 s, cold ≤ 8 s, ≤ 200 MB resident), and the cProfile hot spots
(cumulative top 15, own time top 10) of one warm and one cold run.

    python scripts/bench_status.py --quick
    python scripts/bench_status.py                   # 100,000 records, 5 runs
    python scripts/bench_status.py --teams 20 --checklists 51 --cadence weekly
    python scripts/bench_status.py --records 20000 --repeat 9
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchlib import (
    GIT_ENV,
    dump,
    executable,
    measure,
    median,
    print_top,
    profile_rows,
    profile_total,
    say,
    spread,
    timed,
    versions,
)

RECORDS = 100_000
QUICK_RECORDS = 2_000
CHECKLISTS = 20
TEAMS = 5
REPEAT = 5
QUICK_REPEAT = 2
WARM_GOAL = 0.3  # seconds for a warm `playbook status` (and history), issue 11
COLD_GOAL = 8.0  # seconds for a cold one
RSS_GOAL = 200.0  # MB resident, the whole process
TIMEZONE = "Europe/Warsaw"
INDEX = Path(".git") / "playbook" / "records.sqlite"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
TAIL = 2000  # characters of a failed process's output to show

PACKAGES = ("playbook", "PyYAML", "click", "python-dateutil")  # versions in the header

TEAM_ZONES = [
    ("warsaw", "Warsaw", "Europe/Warsaw"),
    ("krakow", "Kraków", "Europe/Warsaw"),
    ("gdansk", "Gdańsk", "Europe/Warsaw"),
    ("budapest", "Budapest", "Europe/Budapest"),
    ("hanoi", "Hanoi", "Asia/Ho_Chi_Minh"),
    ("berlin", "Berlin", "Europe/Berlin"),
    ("lisbon", "Lisbon", "Europe/Lisbon"),
    ("saigon", "Saigon", "Asia/Ho_Chi_Minh"),
]
MAX_TEAMS = 20  # beyond the named ones: pods in the same zones, in turn
ITEMS = [
    ("crm-statuses", "Lead statuses in the CRM match what actually happened.", True),
    ("next-steps", "Every open deal has a next step with a date.", True),
    ("forecast", "The forecast is updated in the CRM.", True),
    ("chat-groups", "Advice given in the customer chat groups was read and corrected.", True),
    ("coaching", "One seller got feedback on a recorded call.", False),
    ("email-spot-check", "A few e-mails sent to customers were spot-checked.", False),
]
METRICS: list[dict[str, Any]] = [
    {"id": "leads", "label": "New leads", "type": "integer", "unit": "leads", "required": True},
    {"id": "meetings", "label": "Meetings held", "type": "integer", "unit": "meetings"},
    {"id": "revenue", "label": "Revenue booked", "type": "money", "unit": "EUR", "required": True},
    {"id": "win-rate", "label": "Win rate", "type": "percent"},
]
NOTES = [
    "",
    "",
    "",
    "",
    "Two sellers were at a trade fair; their numbers came in late.",
    "Lead quality from the webinar was lower than expected.",
    "CRM clean-up took longer: many duplicates from the import.",
]

FLOOR_READ = """
import os, sys
total = 0
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        with open(os.path.join(folder, name), encoding="utf-8") as handle:
            total += len(handle.read())
print(total)
"""
FLOOR_PARSE = """
import os, sys, yaml
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
total = 0
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        with open(os.path.join(folder, name), encoding="utf-8") as handle:
            total += len(yaml.load(handle.read(), Loader=loader))
print(total)
"""
IMPORTS = "import click, yaml, dateutil.rrule, playbook.cli, playbook.report, playbook.status"


# --------------------------------------------------------------------------- output helpers


def secs(seconds: float) -> str:
    return f"{seconds:.3f} s"


# --------------------------------------------------------------------------- generation


def cadence(index: int, every: str) -> str:
    at = f"{8 + index % 10:02d}:{(index * 15) % 60:02d}"
    if every == "weekly":
        return f"every {WEEKDAYS[index % len(WEEKDAYS)]} at {at}"
    return f"every day at {at}"


def team_zones(teams: int) -> list[tuple[str, str, str]]:
    if teams > MAX_TEAMS:
        raise SystemExit(f"--teams at most {MAX_TEAMS}")
    named = TEAM_ZONES[:teams]
    return named + [
        (f"pod-{n + 1:02d}", f"Pod {n + 1}", TEAM_ZONES[n % len(TEAM_ZONES)][2])
        for n in range(len(named), teams)
    ]


def write_playbook(
    root: Path, checklists: int, teams: int, tracking_since: date, every: str
) -> None:
    dump(
        root / "playbook.yml",
        {
            "title": "Status Benchmark Playbook",
            "company": "Northwind Voice",
            "timezone": TIMEZONE,
            "late_after": "1d",
            "tracking_since": tracking_since.isoformat(),
            "funnel": [{"id": "prospecting", "title": "Prospecting"}],
            "teams": [
                {
                    "id": team_id,
                    "name": name,
                    "timezone": zone,
                    "manager": f"{team_id}-manager",
                    "members": [
                        {
                            "id": f"{team_id}-manager",
                            "name": f"{name} Manager",
                            "email": f"manager@{team_id}.example.com",
                            "role": "sales-manager",
                        },
                        {
                            "id": f"{team_id}-seller",
                            "name": f"{name} Seller",
                            "email": f"seller@{team_id}.example.com",
                            "role": "sales-manager",
                        },
                    ],
                }
                for team_id, name, zone in team_zones(teams)
            ],
        },
    )
    dump(
        root / "roles" / "sales-manager.yml",
        {
            "title": "Sales Manager",
            "summary": "Runs a sales team and its recurring reviews.",
            "responsibilities": [{"area": "Reviews", "items": ["Run the team's reviews."]}],
        },
    )
    for index in range(checklists):
        dump(
            root / "checklists" / f"review-{index + 1:02d}.yml",
            {
                "title": f"Pipeline review {index + 1}",
                "purpose": "Keep the pipeline clean and the numbers honest.",
                "owners": ["sales-manager"],
                "cadence": cadence(index, every),
                "scope": "team",
                "late_after": "4h",
                "sections": [
                    {
                        "title": "Review",
                        "items": [
                            {"id": item_id, "text": text}
                            | ({} if required else {"required": False})
                            for item_id, text, required in ITEMS
                        ],
                    }
                ],
                "metrics": METRICS,
            },
        )


def generate(
    root: Path, records: int, checklists: int, teams: int, seed: int, every: str = "daily"
) -> int:
    """Write the playbook and `records` record files on real occurrences; return files written."""
    from playbook.load import load_playbook
    from playbook.records import ItemState, Record, git_blob_id
    from playbook.status import occurrences, units

    rng = random.Random(seed)
    per_unit = math.ceil(records / (checklists * teams))
    now = datetime.now(ZoneInfo(TIMEZONE))
    days_apart = 7 if every == "weekly" else 1
    span = timedelta(days=days_apart * (per_unit + 2) + 14)  # plus slack
    write_playbook(root, checklists, teams, (now - span).date(), every)
    playbook = load_playbook(root)
    written = 0
    earliest = now.date()
    folders = 0
    for checklist in playbook.checklists.values():
        version = git_blob_id((root / checklist.source).read_bytes())
        items = checklist.items
        for unit in units(playbook, checklist):
            if written >= records:
                break
            found = occurrences(checklist, unit, now - span, now - timedelta(hours=6))
            chosen = found[-min(per_unit, records - written) :]
            if len(chosen) < min(per_unit, records - written):
                raise SystemExit(
                    f"playbook schedules only {len(found)} occurrences of {checklist.id} for "
                    f"{unit.id} since {(now - span).date()}"
                    + (f", the first on {found[0].key}" if found else "")
                    + ": use fewer --records or more --checklists/--teams"
                )
            folder = root / "logs" / checklist.id / unit.id
            folder.mkdir(parents=True, exist_ok=True)
            folders += 1
            manager = playbook.people[f"{unit.id}-manager"]
            for occurrence in chosen:
                roll = rng.random()
                delay = (
                    timedelta(minutes=rng.randint(-20, 200))
                    if roll < 0.9
                    else timedelta(hours=rng.randint(5, 30))
                )
                completed = min(occurrence.due + delay, now - timedelta(hours=1))
                record = Record(
                    checklist=checklist.id,
                    unit=unit.id,
                    unit_kind="team",
                    occurrence=occurrence.key,
                    due=occurrence.due,
                    completed_at=completed.astimezone(unit.timezone).replace(microsecond=0),
                    by=manager.signature,
                    complete=rng.random() > 0.03,
                    items=tuple(
                        ItemState(item.id, item.text, True)
                        if item.required or rng.random() < 0.7
                        else ItemState(
                            item.id, item.text, False, "Nothing changed since the last review."
                        )
                        for item in items
                    ),
                    metrics={
                        "leads": rng.randint(3, 60),
                        "meetings": rng.randint(0, 12),
                        "revenue": float(rng.randint(8, 90) * 1000),
                        "win-rate": rng.randint(10, 60),
                    },
                    note=rng.choice(NOTES),
                    checklist_version=version,
                )
                with open(folder / f"{occurrence.key.isoformat()}.yml", "w", encoding="utf-8") as f:
                    f.write(record.to_yaml())
                written += 1
                earliest = min(earliest, occurrence.key)
    # Track from the earliest record on (the checklists are rewritten byte for byte).
    write_playbook(root, checklists, teams, earliest, every)
    say(
        f"  {written:,} records in {folders} checklist × team folders, {per_unit:,} latest "
        f"occurrences each, from {earliest} on (tracking_since)"
    )
    return written


def check_counts(root: Path, expected: int) -> None:
    """Every generated record must be read, valid, and matched to an occurrence by status."""
    from playbook.load import load_playbook
    from playbook.records import load_records
    from playbook.status import collect

    playbook = load_playbook(root)
    scratch = Path(tempfile.mkdtemp(prefix="bench-status-cache-"))
    try:
        records = load_records(root, cache_dir=scratch)  # not the repository's cache
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    summaries = collect(playbook, records.index(), datetime.now(playbook.timezone))
    matched = sum(1 for s in summaries for h in s.history if h.record is not None)
    states: dict[str, int] = {}
    for s in summaries:
        for h in s.history:
            states[str(h.state)] = states.get(str(h.state), 0) + 1
    ok = len(records.records) == expected and not records.problems and matched == expected
    say(
        f"  check: {len(records.records):,} records read, {len(records.problems)} problems, "
        f"{matched:,} matched to occurrences by status, {len(summaries)} summaries; states "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(states.items()))
        + ("" if ok else "  <-- MISMATCH")
    )
    for problem in records.problems[:3]:
        say(f"    problem: {problem.render()}")


# --------------------------------------------------------------------------- timed processes


def drop_index(root: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{root / INDEX}{suffix}").unlink(missing_ok=True)


def run(command: Sequence[str], cwd: Path, what: str) -> tuple[float, float, str]:
    """Wall time, peak resident memory (MB, 0 when unknown) and stdout of one whole process.

    GNU time measures the memory: a child of this (large) process would count the
    pages it shared with it before its exec.
    """
    gnu_time = shutil.which("time") or "/usr/bin/time"
    with tempfile.NamedTemporaryFile(mode="r", suffix=".rss") as rss:
        wrapped = [gnu_time, "-f", "%M", "-o", rss.name, *command]
        if not os.access(gnu_time, os.X_OK):
            wrapped = list(command)
        seconds, done = measure(wrapped, GIT_ENV, cwd)
        kilobytes = rss.read().strip().splitlines()
    if done.returncode != 0:
        raise SystemExit(
            f"{what} failed (exit {done.returncode}): {' '.join(command)}\n"
            f"stdout:\n{done.stdout[-TAIL:]}\nstderr:\n{done.stderr[-TAIL:]}"
        )
    peak = int(kilobytes[-1]) / 1024 if kilobytes and kilobytes[-1].isdigit() else 0.0
    return seconds, peak, done.stdout


def status_line(stdout: str) -> str:
    lines = [line for line in stdout.splitlines() if line.startswith("As of ")]
    return lines[-1] if lines else "(no summary line)"


# --------------------------------------------------------------------------- profiles


def print_profile(path: Path) -> None:
    """Profiled total, then the hot spots by cumulative and by own time."""
    rows = profile_rows(path)
    say(f"    profiled total {profile_total(rows):.3f} s")
    say("    top 15 by cumulative time (runpy, click and importlib internals left out):")
    print_top(rows, 15, "cumtime", ncalls_width=9)
    say("    top 10 by own time:")
    print_top(rows, 10, "tottime", ncalls_width=9, header=False)


# --------------------------------------------------------------------------- the benchmark


def profile(work: Path, root: Path) -> None:
    say("\n== Profiles (python -m cProfile -m playbook status) ==")
    prof_dir = work / "profiles"
    prof_dir.mkdir(exist_ok=True)
    profiler = [sys.executable, "-m", "cProfile", "-o"]
    for kind in ("warm", "cold"):
        if kind == "cold":
            drop_index(root)
        path = prof_dir / f"{kind}.prof"
        seconds, _ = timed(
            [*profiler, str(path), "-m", "playbook", "status"], root, kind, tail=TAIL
        )
        say(f"  {kind} run under cProfile: {secs(seconds)} wall")
        print_profile(path)


def tree_size(folder: Path) -> tuple[int, int]:
    files = size = 0
    for path, _, names in os.walk(folder):
        for name in names:
            files += 1
            size += os.path.getsize(os.path.join(path, name))
    return files, size


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, help=f"record files (default {RECORDS:,})")
    parser.add_argument("--checklists", type=int, default=CHECKLISTS)
    parser.add_argument("--teams", type=int, default=TEAMS)
    parser.add_argument("--repeat", type=int, help=f"timed runs of each kind (default {REPEAT})")
    parser.add_argument("--quick", action="store_true", help="a smoke run that takes seconds")
    parser.add_argument("--keep", action="store_true", help="keep the generated repository")
    parser.add_argument("--work", type=Path, help="where to build (default: a temporary folder)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--cadence", choices=("daily", "weekly"), default="daily")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile runs")
    args = parser.parse_args(argv)
    records = args.records or (QUICK_RECORDS if args.quick else RECORDS)
    repeat = args.repeat or (QUICK_REPEAT if args.quick else REPEAT)
    if records < 1 or repeat < 1 or args.checklists < 1 or args.teams < 1:
        parser.error("--records, --repeat, --checklists and --teams must be positive")

    say(
        f"bench_status: {records:,} records, {args.checklists} {args.cadence} checklists × "
        f"{args.teams} teams, "
        f"{repeat} timed runs of each kind"
    )
    say(f"{versions(PACKAGES)}; {os.cpu_count()} CPUs; {platform.platform()}")
    say(f"playbook command: {' '.join(executable('playbook'))}")
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-status-"))
    root = work / "repo"
    root.mkdir(parents=True, exist_ok=True)
    say(f"work folder: {work}")
    started = time.perf_counter()
    try:
        generated = time.perf_counter()
        written = generate(root, records, args.checklists, args.teams, args.seed, args.cadence)
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, env=GIT_ENV, check=True)
        files, size = tree_size(root / "logs")
        say(
            f"  generated in {time.perf_counter() - generated:.1f} s: {files:,} files, "
            f"{size / 1e6:.1f} MB ({size / max(files, 1):.0f} bytes per record)"
        )
        check_counts(root, written)

        # This environment may set PYTHONDONTWRITEBYTECODE: without bytecode every run
        # would compile playbook's modules again, which an installed package never does.
        import playbook as package

        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(Path(package.__file__).parent)],
            check=True,
        )
        playbook = executable("playbook")
        history = [*playbook, "history", "review-01"]
        kinds: dict[str, tuple[list[str], bool]] = {
            "cold": ([*playbook, "status"], True),
            "warm": ([*playbook, "status"], False),
            "history": (history, False),
            "floor: python read": ([sys.executable, "-c", FLOOR_READ, "logs"], False),
            "floor: python read+yaml": ([sys.executable, "-c", FLOOR_PARSE, "logs"], False),
            "floor: find -exec cat": (
                ["sh", "-c", "find logs -type f -exec cat {} + > /dev/null"],
                False,
            ),
            "floor: imports of status": ([sys.executable, "-c", IMPORTS], False),
        }
        times: dict[str, list[float]] = {kind: [] for kind in kinds}
        peaks: dict[str, float] = dict.fromkeys(kinds, 0.0)
        say("\n== Timed runs (whole processes) ==")
        # Warm-up: builds the index and fills the OS file cache alike for every kind.
        seconds, _, out = run([*playbook, "status"], root, "playbook status")
        say(f"  warm-up cold status {secs(seconds)}: {status_line(out)}")
        say(f"  index {INDEX}: {(root / INDEX).stat().st_size / 1e6:.1f} MB")
        _, _, out = run(history, root, "playbook history")
        say(f"  history review-01: {len(out.splitlines()):,} lines")
        for repetition in range(repeat):
            parts = []
            for kind, (command, cold) in kinds.items():
                if cold:
                    drop_index(root)
                seconds, rss, _ = run(command, root, kind)
                times[kind].append(seconds)
                peaks[kind] = max(peaks[kind], rss)
                parts.append(f"{kind.removeprefix('floor: ')} {secs(seconds)}")
            say(f"  run {repetition + 1}/{repeat}: " + ", ".join(parts))

        say("\n== Medians (peak resident memory of any run) ==")
        medians = {kind: median(values) for kind, values in times.items()}
        for kind, values in times.items():
            say(
                f"  {kind:<26} {secs(medians[kind]):>9} {peaks[kind]:6.0f} MB {spread(values, secs)}"
            )
        cold, warm, hist = medians["cold"], medians["warm"], medians["history"]
        imports = medians["floor: imports of status"]
        for floor in ("python read", "python read+yaml", "find -exec cat"):
            say(f"  cold / floor {floor:<20} {cold / medians['floor: ' + floor]:6.1f}×")
        say(f"  warm / imports floor              {warm / imports:6.1f}×")
        say(f"  history / imports floor           {hist / imports:6.1f}×")
        rss = max(peaks["cold"], peaks["warm"], peaks["history"])
        goals = [
            ("warm", warm, WARM_GOAL, "s"),
            ("history", hist, WARM_GOAL, "s"),
            ("cold", cold, COLD_GOAL, "s"),
            ("resident", rss, RSS_GOAL, "MB"),
        ]
        for name, value, goal, unit in goals:
            verdict = "met" if value <= goal else "NOT met"
            say(
                f"  {name} {value:.3g} {unit} vs the goal {goal:g} {unit}: {value / goal:.2f}× ({verdict})"
            )
        say(f"  warm - imports floor (status work with a warm index) {secs(warm - imports)}")

        if not args.no_profile:
            profile(work, root)

        say("\n== Summary ==")
        say(
            f"{written:,} records: cold {secs(cold)}, warm {secs(warm)}, history {secs(hist)}, "
            f"peak {rss:.0f} MB (goals {COLD_GOAL:g} s / {WARM_GOAL:g} s / {RSS_GOAL:g} MB); "
            f"floors: read {secs(medians['floor: python read'])}, read+yaml "
            f"{secs(medians['floor: python read+yaml'])}, cat "
            f"{secs(medians['floor: find -exec cat'])}, imports {secs(imports)}; cold/read "
            f"{cold / medians['floor: python read']:.1f}×, cold/read+yaml "
            f"{cold / medians['floor: python read+yaml']:.1f}×, warm/imports {warm / imports:.1f}×"
        )
    finally:
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    say(f"Total benchmark time {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
