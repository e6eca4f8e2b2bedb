"""The cadences a checklist had before: read from git, so that history keeps its meaning.

A team changes `friday-numbers` from Fridays to Thursdays and commits. The
Fridays before that commit were the schedule then: their records are done or
late and the unrecorded ones missed, not "not an occurrence". Each commit
that changed a checklist's cadence ends an era; the era's cadence applies to
occurrences due before the commit's time. An uncommitted change is previewed
as if it were committed now.

Git is asked once per new commit: the file versions seen are kept in
`.git/playbook/cadences.json` with the commit they were read up to, and only
commits after it are read again. The file is disposable.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import yaml

from .model import Checklist, Playbook
from .schedule import CadenceError, Era, parse_cadence

CHECKLISTS = "checklists"
CACHE_FILE = "playbook/cadences.json"
CACHE_VERSION = 1
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def head_of(root: Path) -> tuple[Path, str] | None:
    """The git directory and HEAD commit of the repository holding `root`, or None."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--absolute-git-dir", "--verify", "-q", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:  # git is not installed
        return None
    lines = out.stdout.splitlines()
    if out.returncode != 0 or len(lines) != 2:
        return None
    return Path(lines[0]), lines[1]


def with_history(playbook: Playbook, head: tuple[Path, str] | None) -> Playbook:
    """The playbook with each checklist's earlier cadences attached (`Checklist.earlier`)."""
    if head is None:
        return playbook
    versions = _versions(playbook.root, *head, lambda: _current(playbook))
    for checklist_id, checklist in list(playbook.checklists.items()):
        if checklist.onboarding_for or checklist.cadence.per_person:
            continue
        eras = _eras(checklist, versions.get(f"{CHECKLISTS}/{checklist_id}.yml", []))
        if eras:
            playbook.checklists[checklist_id] = replace(checklist, earlier=eras)
    return playbook


def _eras(checklist: Checklist, versions: list[tuple[int, str]]) -> tuple[Era, ...]:
    """Eras from (commit time, cadence text) oldest first, ending with the file as it is now."""
    timeline = [*versions, (int(datetime.now(UTC).timestamp()), checklist.cadence.text)]
    eras: list[Era] = []
    for (_, text), (changed, following) in pairwise(timeline):
        if text == following:
            continue
        try:
            cadence = parse_cadence(text)
        except CadenceError:
            continue  # a version that never validated scheduled nothing
        if cadence.per_person:
            continue
        until = datetime.fromtimestamp(changed, UTC)
        if eras and eras[-1].until >= until:
            continue
        eras.append(Era(cadence, until))
    return tuple(eras)


def _current(playbook: Playbook) -> dict[str, str]:
    """The cadence of each checklist file as it is now, by the git blob id of the file.

    Most committed versions are the file as it is: their cadence is known without
    reading them again (the loader has read the same bytes, and a file that loads
    says its cadence as YAML would).
    """
    from .records import git_blob_id

    known = {}
    for checklist in playbook.checklists.values():
        if checklist.onboarding_for:
            continue
        try:
            known[git_blob_id((playbook.root / checklist.source).read_bytes())] = (
                checklist.cadence.text
            )
        except OSError:
            continue
    return known


def _versions(
    root: Path, git_dir: Path, head: str, current: Callable[[], dict[str, str]]
) -> dict[str, list[tuple[int, str]]]:
    """For each checklist file: (commit time, cadence text) of every committed version, oldest first."""
    cache_path = git_dir / CACHE_FILE
    prefix = _prefix(root)
    cached = _read_cache(cache_path, prefix)
    if cached is not None and cached[0] == head:
        return cached[1]
    since = cached[0] if cached is not None and _is_ancestor(root, cached[0], head) else None
    versions = cached[1] if since else {}
    commits = _changes(root, since, head)
    if commits:
        texts = _cadences(
            root, [blob for _, _, changes in commits for _, blob in changes], current()
        )
        for _, when, changes in commits:
            for path, blob in changes:
                text = texts.get(blob)
                history = versions.setdefault(path, [])
                if text is not None and (not history or history[-1][1] != text):
                    history.append((when, text))
    _write_cache(cache_path, prefix, head, versions)
    return versions


def _prefix(root: Path) -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--show-prefix"], cwd=root, capture_output=True, text=True
    )
    return out.stdout.strip()


def _is_ancestor(root: Path, old: str, new: str) -> bool:
    return (
        subprocess.run(
            ["git", "merge-base", "--is-ancestor", old, new], cwd=root, capture_output=True
        ).returncode
        == 0
    )


def _changes(
    root: Path, since: str | None, head: str
) -> list[tuple[str, int, list[tuple[str, str]]]]:
    """Commits that touched checklists/, oldest first: (sha, commit time, [(path, blob id)]),
    paths relative to root; a deleted file's blob id is all zeros."""
    revisions = f"{since}..{head}" if since else head
    out = subprocess.run(
        [
            "git", "log", revisions, "--reverse", "--topo-order", "--format=%x1e%H %ct",
            "--raw", "--no-abbrev", "--no-renames", "--relative", "-z", "--", CHECKLISTS,
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    commits = []
    for chunk in out.stdout.split("\x1e")[1:]:
        header, *fields = chunk.split("\0")
        sha, when = header.split()
        changes = []
        # Each change is ":<old mode> <new mode> <old blob> <new blob> <status>" and its path.
        for meta, path in zip(fields[0::2], fields[1::2], strict=False):
            parts = meta.strip("\n").split()
            if len(parts) == 5 and path.endswith(".yml"):
                changes.append((path, parts[3]))
        commits.append((sha, int(when), changes))
    return commits


def _cadences(root: Path, blobs: list[str], known: dict[str, str]) -> dict[str, str | None]:
    """The cadence text of each blob, read in one `git cat-file --batch`; None when it has none.

    Blobs in `known` are not read, and each other blob is read once.
    """
    texts: dict[str, str | None] = dict(known)
    wanted = sorted({blob for blob in blobs if blob not in texts and blob.strip("0")})
    if not wanted:
        return texts
    request = "".join(f"{blob}\n" for blob in wanted).encode()
    out = subprocess.run(
        ["git", "cat-file", "--batch"], cwd=root, input=request, capture_output=True, check=False
    ).stdout
    position = 0
    for blob in wanted:
        end = out.index(b"\n", position)
        header = out[position:end].split()
        position = end + 1
        if len(header) != 3:  # "<blob> missing"
            texts[blob] = None
            continue
        size = int(header[2])
        texts[blob] = _cadence_of(out[position : position + size])
        position += size + 1
    return texts


def _cadence_of(content: bytes) -> str | None:
    try:
        data = yaml.load(content, Loader=Loader)
    except yaml.YAMLError:
        return None
    cadence = data.get("cadence") if isinstance(data, dict) else None
    return cadence if isinstance(cadence, str) else None


def _read_cache(path: Path, prefix: str) -> tuple[str, dict[str, list[tuple[int, str]]]] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["version"] != CACHE_VERSION or data["prefix"] != prefix:
            return None
        versions = {
            name: [(int(when), str(text)) for when, text in history]
            for name, history in data["files"].items()
        }
        return str(data["head"]), versions
    except (OSError, ValueError, KeyError, TypeError):
        return None  # disposable: read git again


def _write_cache(
    path: Path, prefix: str, head: str, versions: dict[str, list[tuple[int, str]]]
) -> None:
    try:
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        payload = {"version": CACHE_VERSION, "prefix": prefix, "head": head, "files": versions}
        tmp.write_text(json.dumps(payload), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only repository still works, only slower
