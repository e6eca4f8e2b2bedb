#!/usr/bin/env python3
"""Benchmark `playbook check` (record one checklist and commit it) against plain git.

For each repository size (default 1,000 and 100,000 existing records) a temporary
git repository is generated: a small playbook (two teams in Europe/Warsaw, one
role, daily checklists tracked since 2020-01-06) and N record files written
directly with `Record.to_yaml()`, spread over checklists × teams × days (only
days that playbook's own schedule gives the daily cadence) and committed in one
commit with the git CLI, then packed with `git gc`. Then, --repeat times and
interleaved:

* `playbook check daily-pipeline --team warsaw --occurrence DAY --all --metric ...`
  as a whole process, from process start to its commit (a new day each run, so
  no run is refused);
* the baseline: the same kind of record file written for the other team, then
  `sh -c 'git add FILE && git commit -q -m MSG'` in the same repository.

It prints the medians per size, the ratio check/baseline (goal at 100,000
records: 1.5×), how our time grows with the repository (median at the largest
size / at the smallest), the floor (Python start-up and imports), where one
check's time goes (start, imports, load, pick, git checks, write+commit: three
runs of the real command with those functions timed inside the process) and, for
one run, cProfile cumulative times and `python -X importtime`.

Git runs without the user's global and system configuration (hooks, signing,
fsmonitor), with a repository-local identity, so the numbers are comparable.

    python scripts/bench_record.py --quick
    python scripts/bench_record.py                      # 1,000 and 100,000 records, 15 runs
    python scripts/bench_record.py --sizes 1000 20000 50000 --repeat 25
"""

from __future__ import annotations

import argparse
import compileall
import json
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
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
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

import playbook
from playbook.records import ItemState, Record, git_blob_id

TIMEZONE = "Europe/Warsaw"
TRACKING_SINCE = date(2020, 1, 6)
TEAMS = (
    "warsaw",
    "gdansk",
)  # records are checked for the first, the baseline writes for the second
TARGET = "daily-pipeline"  # the checklist `playbook check` records
SIZES = (1_000, 100_000)
QUICK_SIZES = (200, 1_000)
REPEAT = 15
QUICK_REPEAT = 3
WARMUP = 1
PROFILE_RUNS = 2  # one under cProfile, one under -X importtime
PHASE_RUNS = 3  # `playbook check` with each phase timed inside the process
MIN_CHECKLISTS = 4
GOAL_RATIO = 1.5  # check / git add+commit at GOAL_SIZE records (issue 11)
GOAL_SIZE = 100_000
PACKAGES = ("playbook", "PyYAML", "GitPython", "click", "python-dateutil")  # versions in the header

PEOPLE = {
    "warsaw": [
        ("anna-kowalska", "Anna Kowalska", "anna.kowalska@example.com"),
        ("piotr-nowak", "Piotr Nowak", "piotr.nowak@example.com"),
    ],
    "gdansk": [
        ("ewa-wisniewska", "Ewa Wiśniewska", "ewa.wisniewska@example.com"),
        ("jan-zielinski", "Jan Zieliński", "jan.zielinski@example.com"),
    ],
}
ITEMS = [
    ("pipeline-updated", "Every open deal has a next step with a date.", True),
    ("stale-deals", "Deals untouched for 14 days are chased or closed.", True),
    ("forecast", "The month's forecast is updated in the CRM.", True),
    ("coaching", "One seller got feedback on a recorded call.", False),
]
METRICS: list[dict[str, Any]] = [
    {"id": "leads", "label": "New leads", "type": "integer", "unit": "leads", "required": True},
    {"id": "revenue", "label": "Revenue booked", "type": "money", "unit": "EUR", "required": True},
    {"id": "win-rate", "label": "Win rate", "type": "percent"},
]
CHECK_METRICS = ("leads=17", "revenue=12 500", "win-rate=31%")
NOTES = [
    "",
    "",
    "",
    "Two sellers were at a trade fair; their numbers came in late.",
    "Lead quality from the webinar was lower than expected.",
    "Quiet day: most customers are on holiday.",
]


# --------------------------------------------------------------------------- output helpers


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


# --------------------------------------------------------------------------- the playbook


def checklist_ids(count: int) -> list[str]:
    return [TARGET, *(f"daily-review-{i:02d}" for i in range(2, count + 1))]


def checklist_hour(index: int) -> int:
    return 9 if index == 0 else 8 + index % 9


def write_playbook(root: Path, checklists: int) -> dict[str, str]:
    """playbook.yml, one role and `checklists` daily team checklists; return their blob ids."""
    dump(
        root / "playbook.yml",
        {
            "title": "Benchmark Playbook",
            "company": "Northwind Voice",
            "timezone": TIMEZONE,
            "late_after": "1d",
            "tracking_since": TRACKING_SINCE.isoformat(),
            "funnel": [{"id": "prospecting", "title": "Prospecting"}],
            "teams": [
                {
                    "id": team,
                    "name": team.capitalize(),
                    "timezone": TIMEZONE,
                    "manager": people[0][0],
                    "members": [
                        {"id": pid, "name": name, "email": email, "role": "sales-manager"}
                        for pid, name, email in people
                    ],
                }
                for team, people in PEOPLE.items()
            ],
        },
    )
    dump(
        root / "roles" / "sales-manager.yml",
        {
            "title": "Sales Manager",
            "summary": "Runs a sales team and its daily and weekly reviews.",
            "responsibilities": [
                {"area": "Reviews", "items": ["Run the daily pipeline review."]},
            ],
        },
    )
    checklist_versions = {}
    for index, checklist_id in enumerate(checklist_ids(checklists)):
        path = root / "checklists" / f"{checklist_id}.yml"
        dump(
            path,
            {
                "title": f"Daily pipeline review {index + 1}",
                "purpose": "Keep the pipeline clean every day.",
                "owners": ["sales-manager"],
                "cadence": f"every day at {checklist_hour(index):02d}:00",
                "scope": "team",
                "late_after": "4h",
                "sections": [
                    {
                        "title": "Pipeline",
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
        checklist_versions[checklist_id] = git_blob_id(path.read_bytes())
    return checklist_versions


def make_record(
    checklist_id: str, hour: int, team: str, day: date, version: str, rng: random.Random
) -> Record:
    tz = ZoneInfo(TIMEZONE)
    due = datetime.combine(day, clock(hour, 0), tz)
    completed = due + timedelta(minutes=rng.randint(-30, 360))
    _, name, email = PEOPLE[team][0]
    items = tuple(
        ItemState(item_id, text, True)
        if required or rng.random() < 0.7
        else ItemState(item_id, text, False, "Nothing changed since yesterday.")
        for item_id, text, required in ITEMS
    )
    return Record(
        checklist=checklist_id,
        unit=team,
        unit_kind="team",
        occurrence=day,
        due=due,
        completed_at=completed.replace(microsecond=0),
        by=f"{name} <{email}>",
        complete=True,
        items=items,
        metrics={
            "leads": rng.randint(3, 60),
            "revenue": float(rng.randint(8, 90) * 1000),
            "win-rate": rng.randint(10, 60),
        },
        note=rng.choice(NOTES),
        checklist_version=version,
    )


# --------------------------------------------------------------------------- the repository


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=root, env=GIT_ENV, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed in {root}:\n{done.stderr}")
    return done.stdout


@dataclass
class Repo:
    root: Path
    size: int
    checklists: int
    free_days: list[date]  # recent days with no record for either team of TARGET, newest first
    target_folder_records: int
    runs: int = 0  # commits made by the benchmark (check + baseline + profiling)
    check_commits: int = 0
    baseline_commits: int = 0


def free_days(reserved: int) -> list[date]:
    """The `reserved` most recent past days, newest first: left free for the timed runs."""
    today = datetime.now(ZoneInfo(TIMEZONE)).date()
    return [today - timedelta(days=d) for d in range(1, reserved + 1)]


def occurrence_days(newest: date) -> list[date]:
    """Days from TRACKING_SINCE to `newest` that playbook's own schedule gives a daily
    checklist, newest first: records are only written on real occurrences."""
    from playbook.schedule import parse_cadence

    tz = ZoneInfo(TIMEZONE)
    start = datetime.combine(TRACKING_SINCE, clock(0), tz)
    end = datetime.combine(newest + timedelta(days=1), clock(0), tz)
    found = parse_cadence("every day at 09:00").occurrences(tz, start, end)
    return sorted({moment.date() for moment in found}, reverse=True)


def build_repo(root: Path, size: int, checklists: int, reserved: int, seed: int) -> Repo:
    """A playbook with `size` records committed in one commit; `reserved` recent days left free."""
    rng = random.Random(seed + size)
    free = free_days(reserved)
    newest = free[-1] - timedelta(days=1)
    days = occurrence_days(newest)
    units = [
        (index, checklist_id, team)
        for index, checklist_id in enumerate(checklist_ids(checklists))
        for team in TEAMS
    ]
    per_unit = math.ceil(size / len(units))
    if per_unit > len(days):
        raise SystemExit(
            f"{size:,} records need {per_unit:,} days per checklist × team but playbook "
            f"schedules only {len(days):,} up to {newest}: raise --checklists"
        )
    started = time.perf_counter()
    checklist_versions = write_playbook(root, checklists)
    made_folders: set[Path] = set()
    written = 0
    target_records = 0
    for day in days[:per_unit]:
        for index, checklist_id, team in units:
            if written == size:
                break
            record = make_record(
                checklist_id,
                checklist_hour(index),
                team,
                day,
                checklist_versions[checklist_id],
                rng,
            )
            path = root / record.path
            if path.parent not in made_folders:
                path.parent.mkdir(parents=True, exist_ok=True)
                made_folders.add(path.parent)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(record.to_yaml())
            written += 1
            target_records += checklist_id == TARGET and team == TEAMS[0]
    write_seconds = time.perf_counter() - started
    started = time.perf_counter()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Bench Runner")
    git(root, "config", "user.email", "bench@example.com")
    git(root, "config", "commit.gpgsign", "false")
    # No `gc --auto` in the background: the first commit's 50,000 loose objects would start
    # one (detached, loading the machine during the timed runs); we pack once, below.
    git(root, "config", "gc.auto", "0")
    git(root, "config", "maintenance.auto", "false")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-verify", "-m", f"Playbook with {size:,} records")
    git_seconds = time.perf_counter() - started
    started = time.perf_counter()
    git(root, "gc", "-q")  # packed, as in any lived-in repository
    gc_seconds = time.perf_counter() - started
    say(
        f"  generated {written:,} records over {len(units)} checklist × team folders "
        f"({per_unit:,} days each, {days[per_unit - 1]} to {newest}) in {write_seconds:.1f} s; "
        f"git add + one commit {git_seconds:.1f} s, git gc {gc_seconds:.1f} s"
    )
    return Repo(root, size, checklists, free, target_records)


# --------------------------------------------------------------------------- timed processes


def check_args(day: date) -> list[str]:
    args = ["check", TARGET, "--team", TEAMS[0], "--occurrence", day.isoformat(), "--all"]
    for metric in CHECK_METRICS:
        args += ["--metric", metric]
    return args


def run_check(repo: Repo, day: date, prefix: Sequence[str] | None = None) -> tuple[float, str]:
    command = [*(prefix or executable("playbook")), *check_args(day)]
    seconds, done = timed(command, repo.root, "playbook check")
    if "Recorded" not in done.stdout:
        raise SystemExit(f"playbook check did not record:\n{done.stdout}\n{done.stderr}")
    repo.runs += 1
    repo.check_commits += 1
    return seconds, done.stderr


def run_baseline(repo: Repo, day: date, rng: random.Random) -> float:
    """The same kind of file for the other team, then `git add FILE && git commit` via sh -c."""
    version = git_blob_id((repo.root / "checklists" / f"{TARGET}.yml").read_bytes())
    record = make_record(TARGET, checklist_hour(0), TEAMS[1], day, version, rng)
    relative = record.path
    message = f"Daily pipeline review {day}, {TEAMS[1]}: done by baseline"
    started = time.perf_counter()
    path = repo.root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(record.to_yaml(), encoding="utf-8")
    command = ["sh", "-c", 'git add "$1" && git commit -q -m "$2"', "sh", relative, message]
    _, done = measure(command, GIT_ENV, repo.root)
    seconds = time.perf_counter() - started  # writing the file counts too
    if done.returncode != 0:
        raise SystemExit(f"baseline failed: {done.stderr}")
    repo.runs += 1
    repo.baseline_commits += 1
    return seconds


def floor_commands() -> dict[str, list[str]]:
    imports = (
        "import click, yaml, dateutil.rrule, playbook.cli, playbook.recording, playbook.gitrepo"
    )
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "playbook --version": [*executable("playbook"), "--version"],
        "imports of check": [sys.executable, "-c", imports],
        "one git process": ["git", "rev-parse", "--verify", "-q", "HEAD"],
    }


# --------------------------------------------------------------------------- phases

# `playbook check` run through its real entry point, with the functions that make up its
# phases wrapped in timers: what it imports, loading the playbook, picking the occurrence and
# building the record, git's checks before the commit, and writing + committing. Whatever is
# left (Click, the record's YAML) is "other"; the interpreter's start is the whole process's
# wall time minus what the process measured.
PHASES = """\
import time
started = time.perf_counter()
import json, sys
import playbook.cli
from playbook import gitrepo, load, recording, report  # check imports the last three lazily
imported = time.perf_counter()
spent = {}

def timer(module, name, phase):
    original = getattr(module, name)

    def timed(*args, **kwargs):
        begin = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[phase] = spent.get(phase, 0.0) + time.perf_counter() - begin

    setattr(module, name, timed)

timer(load, "load_playbook", "load")  # the command line's, for --occurrence
timer(recording, "load_playbook", "load")
timer(recording, "prepare_record", "pick")
timer(gitrepo, "find_repository", "git checks")
timer(gitrepo, "identity", "git checks")
timer(recording, "_refuse_uncommitted_checklist", "git checks")
timer(gitrepo, "commit_file", "write+commit")
playbook.cli.main(sys.argv[1:], standalone_mode=False)
done = time.perf_counter()
spent["imports"] = imported - started
spent["other"] = done - imported - sum(v for k, v in spent.items() if k != "imports")
spent["in process"] = done - started
print(json.dumps(spent), file=sys.stderr)
"""
PHASE_NAMES = ("start", "imports", "load", "pick", "git checks", "write+commit", "other")


def run_phases(repo: Repo, day: date) -> dict[str, float]:
    """One `playbook check` with its phases timed; "start" is the wall time outside Python code."""
    command = [sys.executable, "-c", PHASES, *check_args(day)]
    seconds, done = timed(command, repo.root, "playbook check (phases)")
    if "Recorded" not in done.stdout:
        raise SystemExit(f"playbook check did not record:\n{done.stdout}\n{done.stderr}")
    repo.runs += 1
    repo.check_commits += 1
    spent = json.loads(done.stderr.strip().splitlines()[-1])
    spent["start"] = seconds - spent.pop("in process")
    spent["total"] = seconds
    return spent


def print_phases(runs: list[dict[str, float]]) -> dict[str, float]:
    """Median of each phase over the runs, printed with its share; returns the medians."""
    medians = {
        name: median([run.get(name, 0.0) for run in runs]) for name in (*PHASE_NAMES, "total")
    }
    total = medians["total"]
    say(f"  where one check's time goes (medians of {len(runs)} runs, whole process {ms(total)}):")
    for name in PHASE_NAMES:
        share = medians[name] / total if total else 0.0
        say(f"    {name:<13} {ms(medians[name]):>7}  {share:4.0%}")
    return medians


# --------------------------------------------------------------------------- profiles


KEY_FUNCTIONS = (
    "record_completion",
    "load_playbook",
    "open_repository",
    "identity",
    "prepare_record",
    "get",  # ExistingRecords.get: the records recording reads
    "pick_occurrence",
    "checklist_version",
    "commit_file",
    "write_atomically",
    "read_head",
    "write_trees",
)


def breakdown(path: Path) -> dict[str, float]:
    """Cumulative seconds of the functions that tell where a check spends its time."""
    rows = profile_rows(path)
    out: dict[str, float] = {}
    git_processes = 0
    for (filename, _, name), (_, ncalls, _, cumtime) in rows.items():
        if "/playbook/" in filename and name in KEY_FUNCTIONS:
            out[name] = max(out.get(name, 0.0), cumtime)
        elif name == "_find_and_load" and "importlib" in filename:
            out["imports (all, incl. lazy)"] = cumtime
        elif name == "_execute_child" and filename.endswith("subprocess.py"):
            git_processes = ncalls
            out["spawning processes (fork+exec)"] = cumtime
        elif name == "execute" and filename.endswith("git/cmd.py"):
            out["GitPython Git.execute (git subprocesses)"] = cumtime
        elif name == "run" and filename.endswith("subprocess.py"):
            out["subprocess.run (git plumbing with stdin)"] = cumtime
    out["git processes started"] = float(git_processes)
    out["total (profiled)"] = profile_total(rows)
    return out


def print_breakdown(values: dict[str, float]) -> None:
    for name in (
        "total (profiled)",
        "imports (all, incl. lazy)",
        *KEY_FUNCTIONS,
        "GitPython Git.execute (git subprocesses)",
        "subprocess.run (git plumbing with stdin)",
        "spawning processes (fork+exec)",
    ):
        if name in values:
            say(f"    {values[name]:7.3f} s  {name}")
    say(f"    {int(values.get('git processes started', 0)):7d}    git processes started")


def importtime(stderr: str, count: int = 15) -> None:
    """The slowest imports of a `python -X importtime` run: top level, then at any depth."""
    rows: list[tuple[int, int, int, str]] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        parts = line[len("import time:") :].split("|")
        if len(parts) != 3:
            continue
        name = parts[2].rstrip()
        depth = len(name) - len(name.lstrip())
        rows.append((depth, int(parts[0]), int(parts[1]), name.strip()))
    if not rows:
        say("    (no import times found)")
        return
    top = min(depth for depth, _, _, _ in rows)
    level = sorted(((cum, name) for depth, _, cum, name in rows if depth == top), reverse=True)
    total = sum(cum for cum, _ in level)
    say(f"    all imports: {total / 1000:.0f} ms cumulative; {len(rows)} modules. Top level:")
    for cum, name in level[:8]:
        say(f"    {cum / 1000:7.1f} ms  {name}")
    say(f"    any depth, by cumulative (depth in brackets), top {count}:")
    nested = sorted(rows, key=lambda row: row[2], reverse=True)
    for depth, _, cum, name in [row for row in nested if row[0] != top][:count]:
        say(f"    {cum / 1000:7.1f} ms  [{(depth - top) // 2}] {name}")
    say("    by own time, top 10:")
    for _, own, _, name in sorted(rows, key=lambda row: row[1], reverse=True)[:10]:
        say(f"    {own / 1000:7.1f} ms  {name}")


# --------------------------------------------------------------------------- the benchmark


@dataclass
class SizeResult:
    size: int
    check: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    floors: dict[str, list[float]] = field(default_factory=dict)
    breakdown: dict[str, float] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)
    target_folder_records: int = 0


def verify(repo: Repo, first_commit: str) -> None:
    commits = int(git(repo.root, "rev-list", "--count", f"{first_commit}..HEAD"))
    dirty = git(repo.root, "status", "--porcelain").strip()
    staged = git(repo.root, "diff", "--cached", "--name-only").strip()
    files = len(git(repo.root, "ls-files", "logs").splitlines())
    ok = commits == repo.runs and not dirty and not staged
    say(
        f"  verify: {commits} new commits (expected {repo.runs}), "
        f"{files:,} record files tracked (expected {repo.size + repo.runs:,}), "
        f"worktree {'clean' if not dirty else 'DIRTY: ' + dirty[:200]}, "
        f"index {'matches HEAD' if not staged else 'HAS STAGED: ' + staged[:200]}"
        + ("" if ok and files == repo.size + repo.runs else "  <-- MISMATCH")
    )


def bench_size(
    work: Path, size: int, checklists: int, repeat: int, seed: int, show_profile: bool
) -> SizeResult:
    say(f"\n== {size:,} existing records ==")
    reserved = WARMUP + repeat + PHASE_RUNS + PROFILE_RUNS + 2
    repo = build_repo(work / f"repo-{size}", size, checklists, reserved, seed)
    first_commit = git(repo.root, "rev-parse", "HEAD").strip()
    say(
        f"  the checked folder logs/{TARGET}/{TEAMS[0]}/ holds {repo.target_folder_records:,} "
        "records before the runs"
    )
    result = SizeResult(size, target_folder_records=repo.target_folder_records)
    days = iter(repo.free_days)
    rng = random.Random(seed)
    floors = floor_commands()
    for run in range(WARMUP + repeat):
        day = next(days)
        if run % 2 == 0:
            check_seconds, _ = run_check(repo, day)
            base_seconds = run_baseline(repo, day, rng)
        else:
            base_seconds = run_baseline(repo, day, rng)
            check_seconds, _ = run_check(repo, day)
        floor_seconds = {name: timed(cmd, repo.root, name)[0] for name, cmd in floors.items()}
        if run < WARMUP:
            say(f"  warm-up: check {ms(check_seconds)}, git add+commit {ms(base_seconds)}")
            continue
        result.check.append(check_seconds)
        result.baseline.append(base_seconds)
        for name, seconds in floor_seconds.items():
            result.floors.setdefault(name, []).append(seconds)
        say(
            f"  run {run - WARMUP + 1:2d}/{repeat} {day}: check {ms(check_seconds):>7}, "
            f"git add+commit {ms(base_seconds):>6}, ratio {check_seconds / base_seconds:4.1f}×  "
            f"(python -c pass {ms(floor_seconds['python -c pass'])}, "
            f"imports of check {ms(floor_seconds['imports of check'])})"
        )
    check_median, base_median = median(result.check), median(result.baseline)
    say(f"  median check          {ms(check_median):>7} {spread(result.check, ms)}")
    say(f"  median git add+commit {ms(base_median):>7} {spread(result.baseline, ms)}")
    say(f"  ratio check / baseline {check_median / base_median:.1f}×")
    for name, values in result.floors.items():
        say(f"  floor: {name:<22} {ms(median(values)):>7}")
    result.phases = print_phases([run_phases(repo, next(days)) for _ in range(PHASE_RUNS)])

    profile_dir = work / "profiles"
    profile_dir.mkdir(exist_ok=True)
    prof = profile_dir / f"check-{size}.prof"
    seconds, _ = run_check(
        repo, next(days), [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "playbook"]
    )
    result.breakdown = breakdown(prof)
    say(f"  one run under cProfile ({ms(seconds)} wall): where the time goes, cumulative")
    print_breakdown(result.breakdown)
    if show_profile:
        say(
            f"  cProfile, top 15 by cumulative time ({size:,} records; runpy, click and "
            "importlib internals left out):"
        )
        rows = profile_rows(prof)
        print_top(rows, 15, "cumtime")
        say("  cProfile, top 10 by own time:")
        print_top(rows, 10, "tottime")
        seconds, stderr = run_check(
            repo, next(days), [sys.executable, "-X", "importtime", "-m", "playbook"]
        )
        say(f"  python -X importtime, slowest top-level imports (run took {ms(seconds)}):")
        importtime(stderr)
    verify(repo, first_commit)
    return result


def git_version() -> str:
    """What `git --version` says, for the header."""
    return subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()


def summary(results: list[SizeResult], checklists: int) -> None:
    say(
        "\n== Summary: `playbook check` (whole process, to its commit) vs `git add && git commit` =="
    )
    say(
        f"{'records':>8} {'in folder':>9} {'check':>8} {'baseline':>9} {'ratio':>6} {'py+imports':>11} {'check - floor':>14}"
    )
    for r in results:
        floor = median(r.floors.get("imports of check", []))
        c, b = median(r.check), median(r.baseline)
        say(
            f"{r.size:>8,} {r.target_folder_records:>9,} {ms(c):>8} {ms(b):>9} {c / b:>5.1f}× "
            f"{ms(floor):>11} {ms(c - floor):>14}"
        )
    say(f"{'records':>8} " + " ".join(f"{name:>12}" for name in PHASE_NAMES))
    for r in results:
        say(
            f"{r.size:>8,} "
            + " ".join(f"{ms(r.phases.get(name, 0.0)):>12}" for name in PHASE_NAMES)
        )
    if len(results) > 1:
        small, large = results[0], results[-1]
        ours = median(large.check) / median(small.check)
        base = median(large.baseline) / median(small.baseline)
        grows = "grows" if ours > 1.15 else "stays flat"
        say(
            f"Growth {small.size:,} → {large.size:,} records: check ×{ours:.2f} ({grows}), "
            f"git add+commit ×{base:.2f}."
        )
        for name in (
            "load_playbook",
            "get",  # ExistingRecords.get: the records recording reads
            "commit_file",
            "imports (all, incl. lazy)",
        ):
            a, b = small.breakdown.get(name), large.breakdown.get(name)
            if a is not None and b is not None:
                say(f"  profiled {name}: {a * 1000:.0f} ms → {b * 1000:.0f} ms")
    largest = results[-1]
    ratio = median(largest.check) / median(largest.baseline)
    verdict = (
        ("met" if ratio <= GOAL_RATIO else "NOT met")
        if largest.size >= GOAL_SIZE
        else f"judged at {GOAL_SIZE:,} records"
    )
    say(
        f"Ratio check/baseline at {largest.size:,} records {ratio:.2f}× (goal at {GOAL_SIZE:,}: "
        f"≤ {GOAL_RATIO:.1f}×: {verdict}). Checklists: {checklists} × {len(TEAMS)} teams."
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", help=f"existing records (default {SIZES})")
    parser.add_argument("--repeat", type=int, help=f"timed runs per size (default {REPEAT})")
    parser.add_argument(
        "--checklists",
        type=int,
        help="daily checklists to spread records over (default: enough for the largest size)",
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run that takes seconds")
    parser.add_argument("--keep", action="store_true", help="keep the temporary repositories")
    parser.add_argument("--work", type=Path, help="where to build (default: a temporary folder)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    sizes = sorted(args.sizes or (QUICK_SIZES if args.quick else SIZES))
    repeat = args.repeat or (QUICK_REPEAT if args.quick else REPEAT)
    if repeat < 1 or repeat > 300:
        parser.error("--repeat must be between 1 and 300 (each run needs a free recent day)")
    if min(sizes) < 0:
        parser.error("--sizes must not be negative")
    reserved = WARMUP + repeat + PHASE_RUNS + PROFILE_RUNS + 2
    days = occurrence_days(free_days(reserved)[-1] - timedelta(days=1))
    checklists = args.checklists or max(
        MIN_CHECKLISTS, math.ceil(max(sizes) / (len(TEAMS) * len(days)))
    )
    # Byte-compiled as an installed package is (an editable install under
    # PYTHONDONTWRITEBYTECODE would compile the package again in every run).
    compileall.compile_dir(Path(playbook.__file__).parent, quiet=1)
    say(f"bench_record: sizes {', '.join(f'{s:,}' for s in sizes)}; {repeat} timed runs each")
    say(f"{versions(PACKAGES, [git_version()])}; {os.cpu_count()} CPUs; {platform.platform()}")
    say(f"playbook command: {' '.join(executable('playbook'))}")
    say(
        f"layout: {checklists} daily checklists × {len(TEAMS)} teams, records spread from the "
        f"newest day back towards {TRACKING_SINCE}; the {reserved} most recent days left free "
        f"for the runs. playbook schedules {len(days):,} daily occurrences from {TRACKING_SINCE} "
        f"to {days[0]}, the first on {days[-1]}"
        + (
            f" (NOT {TRACKING_SINCE}: earlier days are no occurrence)"
            if days[-1] > TRACKING_SINCE + timedelta(days=1)
            else ""
        )
    )
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-record-"))
    work.mkdir(parents=True, exist_ok=True)
    say(f"work folder: {work}")
    started = time.perf_counter()
    try:
        results = [
            bench_size(work, size, checklists, repeat, args.seed, size == sizes[-1])
            for size in sizes
        ]
        summary(results, checklists)
    finally:
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    say(f"Total benchmark time {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
