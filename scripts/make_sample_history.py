"""Record a realistic few months of checklist history for the sample playbook.

Every record goes through the real recording code (`record_completion`), one
commit each, dated at its completion time, so the dashboard, `playbook status`
and `playbook audit` see exactly what they would see in a real team's
repository. Most reviews are done on time; a few are late and a few missed,
drawn from a fixed seed so the history is the same on every run.

Usage: python scripts/make_sample_history.py [--until YYYY-MM-DD] [--root .]
"""

from __future__ import annotations

import argparse
import os
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

from playbook.load import load_playbook
from playbook.metrics import parse_metric
from playbook.model import Checklist, Playbook
from playbook.recording import CheckRequest, record_completion
from playbook.status import Unit, occurrences, units

SEED = 2026
ON_TIME, LATE = 0.82, 0.10  # the rest are missed
NOTES = [
    "Two sellers were at a trade fair; their numbers came in on Tuesday.",
    "Lead quality from the webinar was lower than expected.",
    "CRM clean-up took longer: many duplicates from the import.",
    "Good week: three proposals signed.",
    "",
    "",
]
METRIC_SAMPLES = {
    "integer": lambda rng: str(rng.randint(3, 60)),
    "number": lambda rng: f"{rng.uniform(1, 20):.1f}",
    "money": lambda rng: f"{rng.randint(8, 90) * 1000}",
    "percent": lambda rng: str(rng.randint(55, 120)),
    "text": lambda rng: rng.choice(["On track", "Behind on outbound", "Ahead of plan"]),
}


def manager_of(playbook: Playbook, unit: Unit) -> str:
    if unit.kind == "person":
        team = playbook.teams[playbook.people[unit.id].team]
    else:  # a team, or the whole playbook: its first team's manager runs it
        team = playbook.teams.get(unit.id) or next(iter(playbook.teams.values()))
    person = playbook.people[team.manager] if team.manager else team.members[0]
    return person.signature


def request_for(
    checklist: Checklist, unit: Unit, key: date, by: str, rng: random.Random, partial: bool
) -> CheckRequest:
    items = checklist.items
    skipped = {
        item.id: "Not needed this time: nothing changed since the last review."
        for item in items
        if not item.required and rng.random() < 0.3
    }
    done = [item.id for item in items if item.id not in skipped]
    if partial:
        done = done[: max(1, len(done) * 2 // 3)]
    metrics = {m.id: METRIC_SAMPLES[m.type](rng) for m in checklist.metrics}
    for metric_id, raw in metrics.items():
        parse_metric(next(m for m in checklist.metrics if m.id == metric_id), raw)
    return CheckRequest(
        checklist=checklist.id,
        team=unit.id if unit.kind == "team" else None,
        person=unit.id if unit.kind == "person" else None,
        occurrence=key,
        done=done,
        skipped=skipped,
        metrics=metrics,
        note=rng.choice(NOTES),
        by=by,
        partial=partial,
    )


def record(root: Path, request: CheckRequest, when: datetime) -> None:
    stamp = when.isoformat()
    os.environ["GIT_AUTHOR_DATE"] = os.environ["GIT_COMMITTER_DATE"] = stamp
    try:
        record_completion(root, request, now=when)
    finally:
        del os.environ["GIT_AUTHOR_DATE"], os.environ["GIT_COMMITTER_DATE"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("."))
    parser.add_argument("--until", type=date.fromisoformat, default=date.today())
    args = parser.parse_args()
    rng = random.Random(SEED)
    playbook = load_playbook(args.root)
    since = playbook.tracking_since or args.until - timedelta(days=120)
    planned: list[tuple[datetime, CheckRequest]] = []
    for checklist in playbook.checklists.values():
        for unit in units(playbook, checklist):
            start = datetime.combine(since, time(0), unit.timezone)
            end = datetime.combine(args.until, time(0), unit.timezone)
            by = manager_of(playbook, unit)
            if checklist.scope == "person":
                # A new hire's onboarding: recorded as partial so far, phase by phase.
                if unit.started and unit.started < args.until:
                    when = min(
                        end - timedelta(days=1),
                        datetime.combine(unit.started, time(17), unit.timezone)
                        + timedelta(days=20),
                    )
                    planned.append(
                        (when, request_for(checklist, unit, unit.started, by, rng, partial=True))
                    )
                continue
            for occurrence in occurrences(checklist, unit, start, end):
                roll = rng.random()
                if roll > ON_TIME + LATE:
                    continue  # missed
                delay = checklist.late_after * (
                    rng.uniform(0.05, 0.8) if roll < ON_TIME else rng.uniform(1.2, 3)
                )
                when = occurrence.due + delay
                if when >= end:
                    continue
                planned.append(
                    (when, request_for(checklist, unit, occurrence.key, by, rng, partial=False))
                )
    planned.sort(key=lambda pair: pair[0])
    for index, (when, request) in enumerate(planned, 1):
        record(args.root, request, when)
        if index % 25 == 0 or index == len(planned):
            print(f"{index}/{len(planned)} records committed", flush=True)


if __name__ == "__main__":
    main()
