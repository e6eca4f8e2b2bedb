#!/usr/bin/env python3
"""Benchmark `playbook build` against plain `mkdocs build`s of the same pages, in one run.

A synthetic playbook (40 roles, --teams teams in four zones, the last
--records occurrences of each checklist × team recorded) is generated at two
or more sizes (--from and --checklists, or --scaling: 100, 1,000, 5,000) in a
git repository, as a team's is. At each size four whole processes are timed,
each --repeat times and interleaved so that machine noise hits all alike:

* `playbook validate DIR`
* `playbook build -f DIR/mkdocs.yml --site-dir OUT` (after one warm-up build)
* pre-rendered: `mkdocs build` of the same pages pre-rendered to Markdown by
  `playbook export` (the plugin's own renderer, nav and files; the pages hold
  their HTML fragments inline, as an engine without our plugin builds them).
* prose: `mkdocs build` of those pages without their data (history, dates, the
  form): plain Markdown pages holding the same prose.

It prints, against each goal of issue 11: build / pre-rendered (<= 1.10), the
marginal ms per checklist page against plain prose pages (<= 1.5x, between each
two sizes: flat means the same at every interval), KB of HTML per checklist
page (<= 30 at 2 teams, <= 40 at 20), the search index against the prose site's
(<= 1.0), and the iCalendar feeds' share of the build (<= 5 %).

    python scripts/bench_build.py --quick
    python scripts/bench_build.py                        # 100 and 1,000 checklists, 2 teams
    python scripts/bench_build.py --scaling --teams 20 --records 2
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml
from benchlib import GIT_ENV, dump, executable, measure, median, say, versions

BUILD_GOAL = 1.10  # playbook build / plain mkdocs build of the same pages pre-rendered
MARGINAL_GOAL = 1.5  # ms per checklist page / ms per plain page of the same prose
PAGE_GOAL_KB = (30, 40)  # HTML per checklist page at 2 teams, at 20 teams
FEEDS_GOAL = 0.05  # share of the build
SCALING_SIZES = (100, 1_000, 5_000)
QUICK_SCALING_SIZES = (20, 50, 100)
PACKAGES = ("mkdocs", "mkdocs-material", "pyyaml")  # versions in the header

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}

# --------------------------------------------------------------------------- synthetic content

WORDS = [
    "account", "pipeline", "forecast", "deal", "quota", "territory", "prospect", "renewal",
    "upsell", "churn", "margin", "discount", "contract", "proposal", "discovery", "demo",
    "champion", "buyer", "budget", "timeline", "risk", "stage", "handover", "qualification",
    "outreach", "sequence", "cadence", "meeting", "review", "coaching", "objection", "pricing",
    "procurement", "legal", "security", "onboarding", "adoption", "expansion", "health", "score",
    "dashboard", "report", "target", "customer", "segment", "partner", "channel", "lead",
    "opportunity",
]  # fmt: skip
VERBS = [
    "review", "check", "confirm", "update", "agree", "record", "escalate", "prepare", "share",
    "follow", "plan", "qualify", "document", "compare", "reconcile", "flag", "chase", "validate",
    "summarise",
]  # fmt: skip
ROLE_TITLES = [
    ("Sales Development Representative", "SDR"),
    ("Account Executive", "AE"),
    ("Solutions Engineer", "SE"),
    ("Customer Success Manager", "CSM"),
    ("Sales Operations Analyst", "SOA"),
    ("Sales Manager", "SM"),
    ("Key Account Manager", "KAM"),
    ("Partner Manager", "PM"),
]
FAMILIES = ["sales", "customer-success", "sales-operations", "management"]
KPI_CADENCES = ["daily", "weekly", "monthly", "quarterly", "yearly"]
CADENCES = [
    "every monday at 09:00",
    "monthly on day 15",
    "last friday of each quarter at 14:00",
    "first friday of each month at 10:00",
    "every weekday at 17:00",
    "every 2 weeks on friday",
    "monthly on the last day",
    "monday after the first friday of each quarter",
    "yearly on december 10",
    "every monday and thursday at 08:30",
]
# --distinct-times: the same kinds of phrase, but each checklist gets its own minute of the
# day (1,440 per weekday) and its own weekday per block of 1,440, all in one time zone, so
# that no two checklists are ever due at the same moment.
DISTINCT_CADENCES = [
    "every {day}",
    "first {day} of each month",
    "last {day} of each quarter",
    "every 2 weeks on {day}",
    "second {day} of each month",
    "{day} after the first friday of each quarter",
    "last {day} of each month",
]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MINUTES_PER_DAY = 24 * 60
TIE_BUG = "not supported between instances of 'Checklist' and 'Checklist'"
TIE_HINT = (
    "playbook.site.pages.calendar() sorts (moment, checklist) tuples and fails as soon as two "
    "checklists are due at the same moment; rerun with --distinct-times to work around it"
)
FUNNEL = [
    ("lead", "Lead", "A name that might buy"),
    ("mql", "Marketing qualified", "Showed interest through marketing"),
    ("sql", "Sales qualified", "Confirmed need, budget and timeline"),
    ("proposal", "Proposal", "An offer is on the table"),
    ("negotiation", "Negotiation", "Terms are being agreed"),
    ("won", "Closed won", "Signed and handed to customer success"),
]
METRIC_TYPES = [("integer", "deals"), ("money", "EUR"), ("percent", "%"), ("number", "days")]
TOOLS = ["Salesforce", "HubSpot", "Gong", "Outreach", "LinkedIn Sales Navigator", "Slack", "Notion"]

INDEX_MD = """\
# Synthetic sales playbook

This site is generated by `scripts/bench_build.py` to measure how long the playbook takes to
build. Every role, checklist and onboarding page is generated from YAML files.

| Folder | What it holds |
| --- | --- |
| `roles/` | One YAML file per role |
| `checklists/` | Recurring reviews, each with its cadence |

!!! tip "Where to start"
    Open the [roles](roles/index.md), the [checklists](checklists/index.md) or the
    [calendar](calendar.md).

## The funnel

<!-- playbook:funnel -->
"""

MARKDOWN_EXTENSIONS = """\
markdown_extensions:
  - admonition
  - tables
  - attr_list
  - md_in_html
  - pymdownx.tasklist:
      custom_checkbox: true
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
"""

BASE_NAV: list[Any] = [
    {"Home": "index.md"},
    "roles/index.md",
    "onboarding/index.md",
    "checklists/index.md",
]


class Text:
    """Deterministic filler text of realistic length."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def words(self, count: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(count))

    def sentence(self, count: int = 12) -> str:
        return f"{self.rng.choice(VERBS).capitalize()} the {self.words(count - 2)}."

    def paragraph(self, sentences: int = 3) -> str:
        return " ".join(self.sentence(self.rng.randint(9, 16)) for _ in range(sentences))

    def task(self) -> str:
        return f"{self.rng.choice(VERBS).capitalize()} the {self.words(self.rng.randint(4, 8))}"


def role_id(index: int) -> str:
    return f"role-{index:04d}"


def role_data(i: int, count: int, t: Text) -> dict[str, Any]:
    title, alias = ROLE_TITLES[i % len(ROLE_TITLES)]
    data: dict[str, Any] = {
        "title": f"{title} {i + 1}",
        "aliases": [f"{alias} {i + 1}"],
        "family": "management" if i == 0 else FAMILIES[i % len(FAMILIES)],
        "summary": t.sentence(14),
        "mission": t.paragraph(3),
    }
    if i > 0:
        data["reports_to"] = role_id((i - 1) // 4)  # a tree, four reports per manager
    data["responsibilities"] = [
        {"area": t.words(2).capitalize(), "items": [t.sentence(10) for _ in range(4)]}
        for _ in range(4)
    ]
    data["kpis"] = [
        {
            "name": t.words(3).capitalize(),
            "definition": t.sentence(12),
            "target": t.rng.choice([40, 95, 12.5, "20-25"]),
            "unit": t.rng.choice(["leads", "%", "EUR", "meetings", "days"]),
            "cadence": KPI_CADENCES[(i + k) % len(KPI_CADENCES)],
        }
        for k in range(4)
    ]
    data["funnel_stages"] = [FUNNEL[i % len(FUNNEL)][0], FUNNEL[(i + 1) % len(FUNNEL)][0]]
    targets = sorted({(i + 1) % count, (i + count // 2) % count} - {i})
    if targets:
        data["handoffs"] = [
            {
                "to": role_id(target),
                "when": t.words(3),
                "criteria": [t.sentence(8) for _ in range(3)],
                "handover": [t.words(3) for _ in range(2)],
            }
            for target in targets
        ]
    data["tools"] = t.rng.sample(TOOLS, 3)
    data["skills"] = [t.words(3).capitalize() for _ in range(4)]
    if i % 10 == 0:
        data["onboarding"] = [
            {
                "phase": phase,
                "due": due,
                "tasks": [
                    {"id": f"p{p}-t{k}", "text": t.task(), "help": t.sentence(10)} for k in range(4)
                ],
            }
            for p, (phase, due) in enumerate(
                [("First week", "7d"), ("First month", "30d"), ("First quarter", "90d")]
            )
        ]
    if i > 0:
        data["career_path"] = [role_id((i - 1) // 4)]
    return data


def cadence(j: int, distinct: bool) -> str:
    if not distinct:
        return CADENCES[j % len(CADENCES)]
    block, minute = divmod(j, MINUTES_PER_DAY)
    day = WEEKDAYS[block % len(WEEKDAYS)]
    phrase = DISTINCT_CADENCES[j % len(DISTINCT_CADENCES)].format(day=day)
    return f"{phrase} at {minute // 60:02d}:{minute % 60:02d}"


def checklist_data(j: int, roles: int, t: Text, distinct: bool = False) -> dict[str, Any]:
    owner = role_id(j % roles)
    data: dict[str, Any] = {
        "title": f"{t.words(2).capitalize()} review {j + 1}",
        "purpose": t.paragraph(2),
        "owners": [owner],
        "cadence": cadence(j, distinct),
    }
    if j % 7 == 0 and not distinct:
        data["timezone"] = "America/New_York"
    if j % 3 == 0:
        data["late_after"] = "4h"
    data["sections"] = [
        {
            "title": t.words(2).capitalize(),
            "items": [
                {
                    "id": f"s{s}-i{k}",
                    "text": t.task(),
                    **({"help": t.sentence(12)} if k % 2 == 0 else {}),
                    **({"link": "https://example.com/guide"} if k == 3 else {}),
                    **({"required": False} if k == 2 else {}),
                }
                for k in range(4)
            ],
        }
        for s in range(3)
    ]
    data["metrics"] = [
        {
            "id": f"m{m}",
            "label": t.words(3).capitalize(),
            "type": METRIC_TYPES[(j + m) % len(METRIC_TYPES)][0],
            "unit": METRIC_TYPES[(j + m) % len(METRIC_TYPES)][1],
            "required": m == 0,
        }
        for m in range(3)
    ]
    related = role_id((j + 3) % roles)
    if related != owner:
        data["roles"] = [related]
    if j % 5 == 0:
        data["pages"] = ["index.md"]
    data["tags"] = [t.rng.choice(["pipeline", "forecast", "hygiene", "coaching"])]
    return data


def mkdocs_yml(
    nav: list[Any], playbook_plugin: bool, extra: dict[str, list[str]] | None = None
) -> str:
    head: dict[str, Any] = {
        "site_name": "Synthetic Sales Playbook",
        "docs_dir": "docs",
        "site_dir": "site",
        "nav": nav,
        "theme": {
            "name": "material",
            "features": [
                "navigation.tabs",
                "navigation.sections",
                "navigation.indexes",
                "navigation.prune",
            ],
        },
        "plugins": ["search", "playbook"] if playbook_plugin else ["search"],
        **{key: values for key, values in (extra or {}).items() if values},
    }
    return yaml.safe_dump(head, sort_keys=False, allow_unicode=True) + MARKDOWN_EXTENSIONS


# Teams sit in these zones and countries in turn (public holidays apply to them).
TEAM_PLACES = [
    ("Europe/Warsaw", "PL"),
    ("Asia/Ho_Chi_Minh", "VN"),
    ("America/New_York", "US"),
    ("Europe/Budapest", "HU"),
]
NOW = "2026-12-01T09:00:00+01:00"  # every build runs as of this moment (PLAYBOOK_NOW)
TRACKING_DAYS = 120  # history starts this long before NOW


def team_data(k: int) -> dict[str, Any]:
    zone, country = TEAM_PLACES[k % len(TEAM_PLACES)]
    manager = f"manager-{k + 1:02d}"
    return {
        "id": f"team-{k + 1:02d}",
        "name": f"Team {k + 1}",
        "timezone": zone,
        "country": country,
        "manager": manager,
        "members": [
            {
                "id": manager,
                "name": f"Manager {k + 1}",
                "email": f"{manager}@example.com",
                "role": role_id(0),
            }
        ],
    }


def generate(
    root: Path,
    roles: int,
    checklists: int,
    distinct: bool = False,
    seed: int = 0,
    teams: int = 0,
) -> int:
    """Write a synthetic playbook repository into `root`; return the number of YAML files."""
    from datetime import datetime, timedelta

    roles = max(roles, 1)
    t = Text(seed)
    for folder in ("roles", "checklists", "docs"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    since = datetime.fromisoformat(NOW) - timedelta(days=TRACKING_DAYS)
    dump(
        root / "playbook.yml",
        {
            "title": "Synthetic Sales Playbook",
            "company": "Northwind",
            "timezone": "Europe/Warsaw",
            "late_after": "1d",
            "funnel": [{"id": i, "title": title, "description": d} for i, title, d in FUNNEL],
            **(
                {
                    "tracking_since": since.date().isoformat(),
                    "teams": [team_data(k) for k in range(teams)],
                }
                if teams
                else {}
            ),
        },
    )
    for i in range(roles):
        dump(root / "roles" / f"{role_id(i)}.yml", role_data(i, roles, t))
    for j in range(checklists):
        dump(root / "checklists" / f"check-{j:05d}.yml", checklist_data(j, roles, t, distinct))
    (root / "docs" / "index.md").write_text(INDEX_MD, encoding="utf-8")
    (root / "mkdocs.yml").write_text(mkdocs_yml(BASE_NAV, playbook_plugin=True), encoding="utf-8")
    return 1 + roles + checklists


def write_records(root: Path, per_unit: int, seed: int = 0) -> int:
    """Record the last `per_unit` occurrences of every checklist × team; return how many.

    Written as `playbook check` writes them (every 7th left missed, every 5th
    recorded late, every 3rd with a note), straight to files: committing each
    would take longer than the benchmark.
    """
    from datetime import datetime, timedelta

    from playbook.load import load_playbook
    from playbook.recording import checklist_version
    from playbook.records import ItemState, Record
    from playbook.status import occurrences, units

    if per_unit <= 0:
        return 0
    t = Text(seed + 1)
    playbook = load_playbook(root)
    now = datetime.fromisoformat(NOW)
    start = now - timedelta(days=TRACKING_DAYS)
    written = 0
    for checklist in playbook.checklists.values():
        if checklist.cadence.per_person:
            continue
        version = checklist_version(root, checklist)
        for unit in units(playbook, checklist):
            manager = playbook.teams[unit.id].manager if unit.kind == "team" else None
            person = playbook.people.get(manager or "")
            by = f"{person.name} <{person.email}>" if person else "Someone <someone@example.com>"
            found = [o for o in occurrences(checklist, unit, start, now) if o.due < now]
            for n, occurrence in enumerate(found[-per_unit:]):
                if n % 7 == 6:
                    continue
                late = timedelta(days=3) if n % 5 == 4 else timedelta(hours=1)
                record = Record(
                    checklist=checklist.id,
                    unit=unit.id,
                    unit_kind=unit.kind,
                    occurrence=occurrence.key,
                    due=occurrence.due,
                    completed_at=min(occurrence.due + late, now),
                    by=by,
                    complete=True,
                    items=tuple(ItemState(i.id, i.text, True) for i in checklist.items),
                    metrics={m.id: _metric_value(m.type, t) for m in checklist.metrics},
                    note=t.sentence(10) if n % 3 == 0 else "",
                    checklist_version=version,
                )
                path = root / record.path
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(record.to_yaml(), encoding="utf-8")
                written += 1
    return written


def _metric_value(kind: str, t: Text) -> object:
    if kind == "money":
        return f"{t.rng.randint(1_000, 250_000)}.00"
    if kind == "percent":
        return t.rng.randint(0, 100)
    if kind == "number":
        return round(t.rng.uniform(0, 30), 1)
    return t.rng.randint(0, 60)


def prerender(root: Path, baseline: Path, prose: Path) -> tuple[int, int]:
    """The same site as plain files, for MkDocs without our plugin; return (pages, other files).

    `baseline` is what `playbook export` writes (the plugin's own renderer, nav and
    files: the pages hold their HTML fragments inline); `prose` the same pages without
    their data (history, dates, the form): plain Markdown holding the same prose.
    """
    from playbook.site.export import export_site
    from playbook.site.templates import lift

    exported = export_site(root, baseline)
    shutil.copytree(baseline, prose, dirs_exist_ok=True)
    for page in (prose / "docs").rglob("*.md"):
        page.write_text(lift(page.read_text(encoding="utf-8"))[0], encoding="utf-8")
    return exported.pages, exported.files - exported.pages


# --------------------------------------------------------------------------- measuring


@dataclass(frozen=True)
class Run:
    seconds: float
    stdout: str
    stderr: str


def timed(command: Sequence[str]) -> Run:
    """Time a whole process; stop the benchmark with its output's last lines if it fails."""
    seconds, done = measure(command, ENV)
    if done.returncode != 0:
        output = done.stdout + done.stderr
        tail = "\n".join(output.strip().splitlines()[-30:])
        hint = f"\n{TIE_HINT}" if TIE_BUG in output else ""
        sys.exit(f"FAILED ({done.returncode}): {' '.join(command)}\n{tail}{hint}")
    return Run(seconds, done.stdout, done.stderr)


@dataclass(frozen=True)
class SiteStats:
    html_pages: int
    files: int
    bytes: int


def site_stats(site: Path) -> SiteStats:
    html = files = size = 0
    for folder, _, names in os.walk(site):
        for name in names:
            files += 1
            size += os.path.getsize(os.path.join(folder, name))
            html += name.endswith(".html")
    return SiteStats(html, files, size)


def fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


# --------------------------------------------------------------------------- modes


@dataclass(frozen=True)
class Size:
    """One size of the synthetic playbook, built three ways."""

    checklists: int
    records: int
    build: float  # playbook build, median seconds
    baseline: float  # mkdocs build of the same pages pre-rendered
    prose: float  # mkdocs build of the same pages without their data
    site: Path
    prose_site: Path
    baseline_site: Path


def page_sizes(site: Path) -> list[int]:
    """Bytes of each checklist page."""
    return sorted(p.stat().st_size for p in (site / "checklists").glob("*/index.html"))


def index_bytes(site: Path) -> int:
    return (site / "search" / "search_index.json").stat().st_size


def feeds_seconds(root: Path, repeat: int) -> float:
    """The three-plus feeds as the plugin makes them, timed in this process."""
    from datetime import datetime

    from playbook.ical import calendar_feeds
    from playbook.load import load_playbook

    playbook = load_playbook(root)
    now = datetime.fromisoformat(NOW)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        calendar_feeds(playbook, now)
        times.append(time.perf_counter() - started)
    return median(times)


def build_size(
    work: Path, roles: int, checklists: int, teams: int, records: int, repeat: int, distinct: bool
) -> Size:
    playbook_cmd, mkdocs_cmd = executable("playbook"), executable("mkdocs")
    tag = f"{checklists:,}"
    source = fresh(work / f"playbook-{checklists}")
    baseline, prose = fresh(work / f"baseline-{checklists}"), fresh(work / f"prose-{checklists}")
    started = time.perf_counter()
    yaml_files = generate(source, roles, checklists, distinct, teams=teams)
    # A git repository, as a team's is: the record cache lives in .git/ (builds are warm).
    subprocess.run(["git", "init", "-q", str(source)], check=True, env=GIT_ENV)
    written = write_records(source, records)
    say(
        f"[{tag}] generated {yaml_files} YAML files and {written:,} records "
        f"in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    generated, extra = prerender(source, baseline, prose)
    say(
        f"[{tag}] exported {generated} pages and {extra} other files "
        f"in {time.perf_counter() - started:.1f} s"
    )
    out_build, out_base, out_prose = (
        work / f"site-{checklists}",
        work / f"site-baseline-{checklists}",
        work / f"site-prose-{checklists}",
    )
    build_cmd = [*playbook_cmd, "build", "-f", str(source / "mkdocs.yml"), "-d", str(out_build)]
    base_cmd = [*mkdocs_cmd, "build", "-q", "-f", str(baseline / "mkdocs.yml"), "-d", str(out_base)]
    prose_cmd = [*mkdocs_cmd, "build", "-q", "-f", str(prose / "mkdocs.yml"), "-d", str(out_prose)]
    timed(build_cmd)  # warm-up: reads the records once into the cache, as a team's first build does
    runs: dict[str, list[float]] = {"build": [], "baseline": [], "prose": [], "validate": []}
    for n in range(1, repeat + 1):
        runs["validate"].append(timed([*playbook_cmd, "-C", str(source), "validate"]).seconds)
        for name, command, out in (
            ("build", build_cmd, out_build),
            ("baseline", base_cmd, out_base),
            ("prose", prose_cmd, out_prose),
        ):
            fresh(out)
            runs[name].append(timed(command).seconds)
        say(
            f"[{tag}] run {n}/{repeat}: validate {runs['validate'][-1]:.2f} s | "
            f"playbook build {runs['build'][-1]:.2f} s | "
            f"pre-rendered {runs['baseline'][-1]:.2f} s | prose {runs['prose'][-1]:.2f} s"
        )
    built, base = site_stats(out_build), site_stats(out_base)
    if built.html_pages != base.html_pages:
        say(
            f"WARNING: {built.html_pages} vs {base.html_pages} HTML pages: the comparison is unfair"
        )
    return Size(
        checklists,
        written,
        median(runs["build"]),
        median(runs["baseline"]),
        median(runs["prose"]),
        out_build,
        out_prose,
        out_base,
    )


def compare(
    work: Path,
    roles: int,
    sizes: Sequence[int],
    teams: int,
    records: int,
    repeat: int,
    distinct: bool,
) -> None:
    say(
        f"bench_build: {roles} roles, {', '.join(f'{n:,}' for n in sizes)} checklists, "
        f"{teams} teams, the last {records} occurrences of each checklist × team recorded, "
        f"repeat {repeat}" + (", distinct due times" if distinct else "")
    )
    say(f"  {versions(PACKAGES, missing='?')}; {os.cpu_count()} CPUs; as of {NOW}")
    say(f"  work dir: {work}")
    os.environ["PLAYBOOK_NOW"] = NOW  # the pre-rendering in this process, like the builds
    done = [build_size(work, roles, n, teams, records, repeat, distinct) for n in sizes]
    last = done[-1]
    say()
    say(
        f"{'checklists':>10} {'records':>8} {'build s':>8} {'pre-rendered s':>15} {'prose s':>8} {'ratio':>6}"
    )
    for size in done:
        say(
            f"{size.checklists:>10,} {size.records:>8,} {size.build:>8.2f} {size.baseline:>15.2f} "
            f"{size.prose:>8.2f} {size.build / size.baseline:>6.3f}"
        )
    ratio = last.build / last.baseline
    say(
        f"build / pre-rendered mkdocs build at {last.checklists:,}: {ratio:.3f} "
        f"(goal <= {BUILD_GOAL:.2f}: {'OK' if ratio <= BUILD_GOAL else 'MISSED'})"
    )
    for first, second in pairwise(done):
        extra = second.checklists - first.checklists
        ours = 1000 * (second.build - first.build) / extra
        plain = 1000 * (second.prose - first.prose) / extra
        say(
            f"marginal ms per checklist page, {first.checklists:,} -> {second.checklists:,}: "
            f"playbook {ours:.1f}, plain prose pages {plain:.1f}, ratio {ours / plain:.2f} "
            f"(goal <= {MARGINAL_GOAL:.1f}: {'OK' if ours / plain <= MARGINAL_GOAL else 'MISSED'})"
        )
    ours_kb, prose_kb = page_sizes(last.site), page_sizes(last.prose_site)
    goal = PAGE_GOAL_KB[0] if teams <= 2 else PAGE_GOAL_KB[1]
    say(
        f"KB per checklist page at {last.checklists:,}: median {ours_kb[len(ours_kb) // 2] / 1e3:.1f}, "
        f"max {ours_kb[-1] / 1e3:.1f} (plain prose: median {prose_kb[len(prose_kb) // 2] / 1e3:.1f}; "
        f"goal <= {goal} KB at {teams} teams: {'OK' if ours_kb[-1] <= goal * 1e3 else 'MISSED'})"
    )
    ours_index, prose_index = index_bytes(last.site), index_bytes(last.prose_site)
    say(
        f"search index at {last.checklists:,}: {mb(ours_index)} vs plain prose {mb(prose_index)} "
        f"= {ours_index / prose_index:.3f} (pre-rendered: {mb(index_bytes(last.baseline_site))}; "
        f"goal <= 1.0: {'OK' if ours_index <= prose_index else 'MISSED'})"
    )
    feeds = feeds_seconds(work / f"playbook-{last.checklists}", repeat)
    share = feeds / last.build
    say(
        f"iCalendar feeds at {last.checklists:,}: {feeds:.2f} s in process = {share:.1%} of the "
        f"build (goal <= {FEEDS_GOAL:.0%}: {'OK' if share <= FEEDS_GOAL else 'MISSED'})"
    )
    say(
        f"site at {last.checklists:,}: {mb(site_stats(last.site).bytes)} "
        f"(pre-rendered {mb(site_stats(last.baseline_site).bytes)}, "
        f"prose {mb(site_stats(last.prose_site).bytes)})"
    )


LANGUAGE_GOAL = 1.10  # N languages / (N x one language), the constant included


def languages(work: Path, roles: int, checklists: int, count: int, repeat: int) -> None:
    """The same playbook built in one language and in `count`: the N-language build may cost
    N one-language builds plus a small constant. The other languages have no translations,
    so every page of theirs is the source text under a notice: the cost is the build's own."""
    codes = ["en", "pl", "vi", "hu", "zh"][:count]
    source = work / "playbook"
    fresh(source)
    generate(source, roles, checklists)
    playbook_cmd = executable("playbook")
    settings = source / "playbook.yml"
    one = settings.read_text(encoding="utf-8")
    many = one + f"languages: [{', '.join(codes)}]\n"
    out = work / "site-languages"
    say(f"bench_build --languages {count}: {roles} roles, {checklists} checklists; {codes}")
    single: list[float] = []
    multi: list[float] = []
    build_cmd = [*playbook_cmd, "build", "-f", str(source / "mkdocs.yml"), "--site-dir", str(out)]
    for n in range(1, repeat + 1):
        settings.write_text(one, encoding="utf-8")
        fresh(out)
        single.append(timed(build_cmd).seconds)
        settings.write_text(many, encoding="utf-8")
        fresh(out)
        multi.append(timed(build_cmd).seconds)
        say(
            f"run {n}/{repeat}: one language {single[-1]:.2f} s | {count} languages {multi[-1]:.2f} s"
        )
    s1, sn = median(single), median(multi)
    ratio = sn / (count * s1)
    say(f"medians of {repeat}: one language {s1:.2f} s, {count} languages {sn:.2f} s")
    say(
        f"  {count} languages / ({count} x one) {ratio:.3f}    goal <= {LANGUAGE_GOAL:.2f}: "
        f"{'OK' if ratio <= LANGUAGE_GOAL else 'MISSED'}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Time playbook build against plain mkdocs builds of the same pages."
    )
    parser.add_argument(
        "--roles", type=int, default=40, help="roles, the same at every size (default 40)"
    )
    parser.add_argument(
        "--checklists", type=int, default=1000, help="checklists at the largest size (default 1000)"
    )
    parser.add_argument(
        "--from",
        dest="smallest",
        type=int,
        help="checklists at the smallest size (default a tenth of --checklists)",
    )
    parser.add_argument("--teams", type=int, default=2, help="teams (default 2)")
    parser.add_argument(
        "--records",
        type=int,
        default=12,
        help="the last N occurrences of each checklist × team are recorded (default 12)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each build (default 3)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 10 roles, 20 and 50 checklists, repeat 1"
    )
    parser.add_argument(
        "--scaling", action="store_true", help="sizes 100, 1,000 and 5,000 checklists"
    )
    parser.add_argument(
        "--distinct-times",
        action="store_true",
        help="give every checklist its own due minute, so no two are due at the same moment "
        "(only needed with package versions whose calendar page crashed on ties; "
        "cadences are then weekday phrases only)",
    )
    parser.add_argument(
        "--languages",
        type=int,
        metavar="N",
        help="build in N languages (2 to 5) against N builds in one language",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="generate into this folder and keep it (default: a temporary folder, deleted)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.roles, args.checklists, args.smallest, args.repeat = 10, 50, 20, 1
        args.records = min(args.records, 4)
    sizes = (
        (QUICK_SCALING_SIZES if args.quick else SCALING_SIZES)
        if args.scaling
        else (args.smallest or max(args.checklists // 10, 1), args.checklists)
    )
    if args.roles < 1 or args.repeat < 1 or args.teams < 0 or args.records < 0:
        parser.error("--roles and --repeat must be at least 1, --teams and --records at least 0")
    if list(sizes) != sorted(set(sizes)) or sizes[0] < 1:
        parser.error("the sizes must grow: --from must be below --checklists")

    with tempfile.TemporaryDirectory(prefix="playbook-bench-") as temp:
        work = args.workdir.resolve() if args.workdir else Path(temp)
        work.mkdir(parents=True, exist_ok=True)
        if args.languages:
            if not 2 <= args.languages <= 5:
                parser.error("--languages takes 2 to 5")
            languages(work, args.roles, args.checklists, args.languages, args.repeat)
            return
        compare(
            work,
            args.roles,
            sizes,
            args.teams,
            args.records,
            args.repeat,
            args.distinct_times,
        )


if __name__ == "__main__":
    main()
