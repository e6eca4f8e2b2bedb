#!/usr/bin/env python3
"""Benchmark `playbook validate` and `playbook build` against a plain `mkdocs build`.

A synthetic playbook (default 200 roles, 1,000 checklists) is generated in a
temporary folder. Three whole processes are timed, each --repeat times and
interleaved so that machine noise hits all of them alike:

* `playbook validate DIR`
* `playbook build -f DIR/mkdocs.yml --site-dir OUT`
* the baseline: `mkdocs build` of the same pages pre-rendered to Markdown, with
  the same nav the plugin would produce, and no playbook plugin. The pages are
  produced by driving the plugin's own hooks in this process (on_config expands
  the nav with generated_sections + expand_nav, on_files calls render_site and
  adds feeds and assets), so the two sites hold the same files.

The ratio build/baseline is the cost of the playbook layer (goal <= 1.10).
`--scaling` builds 100, 1,000 and 5,000 checklists once each to show that the
cost per page stays flat. `--quick` is a smoke run that finishes in seconds.

    python scripts/bench_build.py --quick
    python scripts/bench_build.py                    # 200 roles, 1,000 checklists, 3 runs
    python scripts/bench_build.py --scaling
    python scripts/bench_build.py --languages 3     # en, pl, vi against 3 builds in en
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml
from benchlib import dump, executable, measure, median, say, versions

BUILD_GOAL = 1.10  # playbook build / plain mkdocs build
VALIDATE_GOAL = 1.0  # seconds, for ~1,200 files
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


def generate(root: Path, roles: int, checklists: int, distinct: bool = False, seed: int = 0) -> int:
    """Write a synthetic playbook repository into `root`; return the number of YAML files."""
    roles = max(roles, 1)
    t = Text(seed)
    for folder in ("roles", "checklists", "docs"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    dump(
        root / "playbook.yml",
        {
            "title": "Synthetic Sales Playbook",
            "company": "Northwind",
            "timezone": "Europe/Warsaw",
            "late_after": "1d",
            "funnel": [{"id": i, "title": title, "description": d} for i, title, d in FUNNEL],
        },
    )
    for i in range(roles):
        dump(root / "roles" / f"{role_id(i)}.yml", role_data(i, roles, t))
    for j in range(checklists):
        dump(root / "checklists" / f"check-{j:05d}.yml", checklist_data(j, roles, t, distinct))
    (root / "docs" / "index.md").write_text(INDEX_MD, encoding="utf-8")
    (root / "mkdocs.yml").write_text(mkdocs_yml(BASE_NAV, playbook_plugin=True), encoding="utf-8")
    return 1 + roles + checklists


def prerender(root: Path, baseline: Path) -> tuple[int, int]:
    """Write what the plugin generates as plain files, plus a mkdocs.yml without the plugin.

    The plugin itself is driven in this process: its on_config loads the playbook and expands
    the nav (generated_sections + expand_nav), its on_files renders every page with
    render_site (and adds feeds and assets), and its on_page_markdown expands the markers of
    every page. So the baseline renders the same Markdown with the same nav, whatever the
    plugin learns to generate next. Returns (generated pages, other generated files).
    """
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.config import load_config
    from mkdocs.structure.files import File, Files

    config = load_config(str(root / "mkdocs.yml"))
    plugins = config.plugins
    plugins.on_startup(command="build", dirty=False)
    try:
        config = plugins.on_config(config)
        docs = Path(config.docs_dir)
        handwritten = [
            File(p.relative_to(docs).as_posix(), str(docs), str(baseline / "site"), True)
            for p in sorted(docs.rglob("*"))
            if p.is_file()
        ]
        files = plugins.on_files(Files(list(handwritten)), config=config)
        out_docs = baseline / "docs"
        for file in files:
            target = out_docs / file.src_uri
            target.parent.mkdir(parents=True, exist_ok=True)
            if file.src_uri.endswith(".md"):
                stub: Any = SimpleNamespace(file=file)
                markdown = plugins.on_page_markdown(
                    file.content_string, page=stub, config=config, files=files
                )
                target.write_text(markdown, encoding="utf-8")
            else:
                target.write_bytes(file.content_bytes)
    except TypeError as exc:
        if TIE_BUG in str(exc):
            sys.exit(f"the plugin failed: {exc}\n{TIE_HINT}")
        raise
    finally:
        plugins.on_shutdown()
    written_by_hand = {file.src_uri for file in handwritten}
    generated = [file for file in files if file.src_uri not in written_by_hand]
    pages = sum(1 for file in generated if file.src_uri.endswith(".md"))
    # What on_config added to the configuration besides the nav (the recording form's assets).
    extra = {
        "extra_css": [str(value) for value in config.extra_css],
        "extra_javascript": [str(value) for value in config.extra_javascript],
    }
    (baseline / "mkdocs.yml").write_text(
        mkdocs_yml(config.nav, playbook_plugin=False, extra=extra), encoding="utf-8"
    )
    return pages, len(generated) - pages


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


def tree_bytes(folder: Path, pattern: str) -> int:
    return sum(p.stat().st_size for p in folder.rglob(pattern) if p.is_file())


def fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def in_process_seconds(output: str) -> float | None:
    match = re.search(r"in ([0-9.]+) s", output)
    return float(match[1]) if match else None


# --------------------------------------------------------------------------- modes


def compare(work: Path, roles: int, checklists: int, repeat: int, distinct: bool) -> None:
    playbook_cmd, mkdocs_cmd = executable("playbook"), executable("mkdocs")
    source, baseline = fresh(work / "playbook"), fresh(work / "baseline")
    say(
        f"bench_build: {roles} roles, {checklists} checklists, repeat {repeat}"
        + (", distinct due times" if distinct else "")
    )
    say(f"  {versions(PACKAGES, missing='?')}; {os.cpu_count()} CPUs")
    say(f"  work dir: {work}")

    started = time.perf_counter()
    yaml_files = generate(source, roles, checklists, distinct)
    say(
        f"generated {yaml_files} YAML files ({mb(tree_bytes(source, '*.yml'))}) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    generated, extra = prerender(source, baseline)
    markdown = sum(1 for _ in (baseline / "docs").rglob("*.md"))
    say(
        f"pre-rendered {generated} generated pages + {markdown - generated} hand-written "
        f"= {markdown} Markdown pages ({mb(tree_bytes(baseline / 'docs', '*.md'))}) "
        f"and {extra} other generated files for the baseline "
        f"in {time.perf_counter() - started:.1f} s"
    )

    validate_cmd = [*playbook_cmd, "-C", str(source), "validate"]
    out_build, out_base = work / "site-playbook", work / "site-mkdocs"
    build_cmd = [
        *playbook_cmd, "build", "-f", str(source / "mkdocs.yml"), "--site-dir", str(out_build),
    ]  # fmt: skip
    base_cmd = [
        *mkdocs_cmd, "build", "-q", "-f", str(baseline / "mkdocs.yml"), "--site-dir", str(out_base),
    ]  # fmt: skip

    validate_s: list[float] = []
    validate_inner: list[float] = []
    build_s: list[float] = []
    base_s: list[float] = []
    for n in range(1, repeat + 1):
        run = timed(validate_cmd)
        validate_s.append(run.seconds)
        inner = in_process_seconds(run.stdout)
        if inner is not None:
            validate_inner.append(inner)
        fresh(out_build)
        build_s.append(timed(build_cmd).seconds)
        fresh(out_base)
        base_s.append(timed(base_cmd).seconds)
        say(
            f"run {n}/{repeat}: validate {validate_s[-1]:.2f} s | "
            f"playbook build {build_s[-1]:.2f} s | mkdocs build {base_s[-1]:.2f} s"
        )

    built, base = site_stats(out_build), site_stats(out_base)
    v, b, m = (median(x) for x in (validate_s, build_s, base_s))
    ratio = b / m
    say()
    say(f"medians of {repeat} (whole processes):")
    inner_note = (
        f" (load inside the process {median(validate_inner):.2f} s)" if validate_inner else ""
    )
    say(
        f"  playbook validate  {v:7.2f} s{inner_note}  "
        f"goal < {VALIDATE_GOAL:.0f} s: {'OK' if v < VALIDATE_GOAL else 'MISSED'}"
    )
    say(
        f"  playbook build     {b:7.2f} s  {built.html_pages} HTML pages, {built.files} files, "
        f"{mb(built.bytes)}, {1000 * b / max(built.html_pages, 1):.1f} ms/page"
    )
    say(
        f"  mkdocs baseline    {m:7.2f} s  {base.html_pages} HTML pages, {base.files} files, "
        f"{mb(base.bytes)}, {1000 * m / max(base.html_pages, 1):.1f} ms/page"
    )
    say(
        f"  ratio build/mkdocs {ratio:7.3f}    goal <= {BUILD_GOAL:.2f}: "
        f"{'OK' if ratio <= BUILD_GOAL else 'MISSED'} (overhead {b - m:+.2f} s)"
    )
    say(
        f"files: {yaml_files} YAML in, {generated} generated pages, "
        f"{built.html_pages} vs {base.html_pages} HTML pages out"
    )
    if built.html_pages != base.html_pages:
        say("WARNING: the two builds produced different page counts; the comparison is unfair")


def scaling(work: Path, sizes: Sequence[int], distinct: bool) -> None:
    playbook_cmd = executable("playbook")
    say(
        f"bench_build --scaling: checklists {', '.join(f'{s:,}' for s in sizes)}; roles = /5"
        + (", distinct due times" if distinct else "")
    )
    say(f"  {versions(PACKAGES, missing='?')}; {os.cpu_count()} CPUs")
    say(f"  work dir: {work}")
    rows: list[tuple[int, int, int, float, float, SiteStats]] = []
    for size in sizes:
        roles = max(size // 5, 1)
        source = fresh(work / f"playbook-{size}")
        say(f"[{size:,}] generating {roles:,} roles and {size:,} checklists ...")
        yaml_files = generate(source, roles, size, distinct)
        say(f"[{size:,}] validating ...")
        validate = timed([*playbook_cmd, "-C", str(source), "validate"]).seconds
        say(f"[{size:,}] validate {validate:.2f} s; building ...")
        out = fresh(work / f"site-{size}")
        build = timed(
            [*playbook_cmd, "build", "-f", str(source / "mkdocs.yml"), "--site-dir", str(out)]
        ).seconds
        stats = site_stats(out)
        say(
            f"[{size:,}] built {stats.html_pages:,} pages in {build:.1f} s "
            f"({1000 * build / stats.html_pages:.1f} ms/page, {mb(stats.bytes)})"
        )
        rows.append((size, roles, yaml_files, validate, build, stats))
        shutil.rmtree(out, ignore_errors=True)  # 5,000 pages make a large site

    say()
    say(
        f"{'checklists':>10} {'roles':>6} {'YAML':>6} {'validate s':>10} {'pages':>6} "
        f"{'build s':>8} {'ms/page':>8} {'marginal':>9} {'site MB':>8} {'KB/page':>8}"
    )
    previous: tuple[int, float] | None = None
    marginals: list[float] = []
    for size, roles, yaml_files, validate, build, stats in rows:
        per_page = 1000 * build / stats.html_pages
        marginal = ""
        if previous is not None:
            cost = 1000 * (build - previous[1]) / (stats.html_pages - previous[0])
            marginals.append(cost)
            marginal = f"{cost:.1f}"
        previous = (stats.html_pages, build)
        say(
            f"{size:>10,} {roles:>6,} {yaml_files:>6,} {validate:>10.2f} {stats.html_pages:>6,} "
            f"{build:>8.1f} {per_page:>8.1f} {marginal:>9} {stats.bytes / 1e6:>8.1f} "
            f"{stats.bytes / 1e3 / stats.html_pages:>8.1f}"
        )
    first, last = rows[0], rows[-1]
    ratio = (last[4] / last[5].html_pages) / (first[4] / first[5].html_pages)
    say(
        f"per-page cost at {last[0]:,} vs {first[0]:,} checklists: x{ratio:.2f} "
        "(flat is ~1; fixed start-up cost inflates the smallest size)"
    )
    if len(marginals) >= 2:
        say(
            f"marginal ms/page, last interval vs first: x{marginals[-1] / marginals[0]:.2f} "
            "(> 1 means the cost per page grows with the size of the site)"
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
        description="Time playbook validate/build against a plain mkdocs build of the same pages."
    )
    parser.add_argument("--roles", type=int, default=200, help="roles to generate (default 200)")
    parser.add_argument(
        "--checklists", type=int, default=1000, help="checklists to generate (default 1000)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command (default 3)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 20 roles, 50 checklists, repeat 1"
    )
    parser.add_argument(
        "--scaling",
        action="store_true",
        help="build 100, 1,000 and 5,000 checklists (roles = checklists/5) once each",
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
        args.roles, args.checklists, args.repeat = 20, 50, 1
    if args.roles < 1 or args.checklists < 0 or args.repeat < 1:
        parser.error("--roles and --repeat must be at least 1, --checklists at least 0")

    with tempfile.TemporaryDirectory(prefix="playbook-bench-") as temp:
        work = args.workdir.resolve() if args.workdir else Path(temp)
        work.mkdir(parents=True, exist_ok=True)
        if args.languages:
            if not 2 <= args.languages <= 5:
                parser.error("--languages takes 2 to 5")
            languages(work, args.roles, args.checklists, args.languages, args.repeat)
        elif args.scaling:
            sizes = QUICK_SCALING_SIZES if args.quick else SCALING_SIZES
            scaling(work, sizes, args.distinct_times)
        else:
            compare(work, args.roles, args.checklists, args.repeat, args.distinct_times)


if __name__ == "__main__":
    main()
