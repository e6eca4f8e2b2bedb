"""`playbook audit`: do the records agree with the git history that is supposed to vouch for them?

A record is trustworthy when `playbook check` made it: one file, added by a
commit of its own, never edited by hand afterwards, completed before it was
committed, naming items its checklist had at the time. Everything else is a
finding. The history is read in one `git log` pass over logs/, whatever the
number of records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from difflib import get_close_matches
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from .errors import Location, PlaybookError, Problem
from .records import LOGS_DIR, Loader, Record, git_blob_id, load_records

if TYPE_CHECKING:
    from collections.abc import Callable

    import git

    from .model import Checklist, Playbook

CLOCK_SKEW = timedelta(minutes=5)
SHOWN_PATHS = 5  # other files of a mixed commit named in a finding
_COMMIT = "\x1e"  # starts each commit in the log output
_FORMAT = (
    _COMMIT
    + "%H%x00%h%x00%an%x00%ae%x00%aI%x00%ct%x00%(trailers:key=Checklist,valueonly,separator=%x1f)%x00"
)
_HEADER_FIELDS = 7


@dataclass(frozen=True)
class Commit:
    sha: str
    short: str
    author: str
    email: str
    authored: datetime
    committed: datetime
    checklists: tuple[str, ...]  # values of its Checklist: trailers
    files: tuple[tuple[str, str], ...]  # (status letter, repository path)

    def describe(self) -> str:
        return f"{self.author} on {self.authored:%Y-%m-%d %H:%M %z} in {self.short}"


@dataclass
class History:
    """What git says about one record path: the commit that added it and those after."""

    added: Commit | None = None
    last: Commit | None = None  # the commit that wrote the content HEAD has
    changes: list[Commit] = field(default_factory=list)


@dataclass(frozen=True)
class Amendment:
    """A record replaced on purpose (`playbook check --amend`): not a finding, but shown."""

    path: str
    record: Record
    commit: Commit | None  # None when it is not committed yet

    def describe(self) -> str:
        how = f"by {self.commit.describe()}" if self.commit else "(not committed yet)"
        return f"{self.path}: amended {how}, replacing version {self.record.amends[:10]}"


@dataclass(frozen=True)
class AuditReport:
    findings: list[Problem]
    amendments: list[Amendment]


def audit(root: Path, since: str | None = None) -> list[Problem]:
    """Every finding about the records under `root`/logs, sorted by path."""
    return audit_report(root, since).findings


def audit_report(root: Path, since: str | None = None) -> AuditReport:
    """Every finding about the records under `root`/logs, sorted by path, and the amendments.

    `since` (a revision) limits the history read to the commits after it, so
    that findings someone has looked at and accepted stop being reported.
    Raises PlaybookError when `root` is not in a git repository.
    """
    from .gitrepo import open_repository

    repo = open_repository(
        root,
        "this playbook is not inside a git repository, so its records cannot be audited",
        "audit reads the records' git history: run it in a clone of the playbook repository",
    )
    work_tree = Path(repo.working_tree_dir or root).resolve()
    prefix = root.resolve().relative_to(work_tree).as_posix()
    logs = f"{prefix}/{LOGS_DIR}/" if prefix != "." else f"{LOGS_DIR}/"

    cut = len(logs) - len(f"{LOGS_DIR}/")

    def local(repo_path: str) -> str:
        """A repository path as the playbook names it (relative to `root`)."""
        return repo_path[cut:]

    findings: list[Problem] = []
    records = load_records(root)
    findings += records.problems  # (f) files that do not parse
    dirty = _uncommitted(repo, logs, findings, local)  # (e)
    shallow = _shallow_boundary(repo)
    histories = _read_history(repo, logs, since, shallow, findings, local)  # (a) and (b)
    if shallow:
        findings.append(
            Problem(
                Location(LOGS_DIR),
                "the repository is a shallow clone: records added before "
                f"{', '.join(sorted(c[:10] for c in shallow))} cannot be checked",
                "fetch the whole history (`git fetch --unshallow`; in CI, a checkout with "
                "fetch-depth: 0) and audit again",
            )
        )
    try:
        from .load import load_playbook

        playbook: Playbook | None = load_playbook(root)
    except PlaybookError as exc:
        findings += exc.problems  # the checklists cannot be read, so items cannot be checked
        playbook = None
    names = _Names(repo, playbook, root) if playbook is not None else None
    amendments = []
    for record in records.records:
        history = histories.get(record.path)
        if record.path not in dirty and history and history.last:
            _check_commit_time(record, history.last, playbook, findings)  # (c)
        if names is not None:
            findings += names.check(record)  # (d)
        if record.amends:
            last = history.last if history and record.path not in dirty else None
            amendments.append(Amendment(record.path, record, last))
    return AuditReport(
        sorted(findings, key=lambda problem: problem.location),
        sorted(amendments, key=lambda amendment: amendment.path),
    )


def _uncommitted(
    repo: git.Repo, logs: str, findings: list[Problem], local: Callable[[str], str]
) -> set[str]:
    """(e) Records that are new, changed or deleted in the work tree; their local paths."""
    output = repo.git.status("--porcelain", "-z", "--untracked-files=all", "--", _literal(logs))
    tokens = iter(output.split("\0"))
    dirty: set[str] = set()
    for token in tokens:
        if len(token) < 4:
            continue
        code, repo_path = token[:2], token[3:]
        if code[0] in "RC":
            next(tokens, None)  # the name it was renamed or copied from
        if not _is_record(repo_path, logs):
            continue
        path = local(repo_path)
        dirty.add(path)
        if code == "??":
            message = "the record is not committed: git does not know this file"
            hint = "record it with `playbook check` (which commits it), or delete it"
        elif "D" in code:
            message = "the record was deleted from the work tree but not from git"
            hint = f"restore it with `git checkout -- {repo_path}`"
        elif code[0] == "A":
            message = "the record is staged but not committed"
            hint = "commit it on its own, or record it with `playbook check`"
        else:
            message = "the record has changes that are not committed"
            hint = f"see them with `git diff HEAD -- {repo_path}`; undo them with `git checkout HEAD -- {repo_path}`, or record the occurrence again with `playbook check`"
        findings.append(Problem(Location(path), message, hint))
    return dirty


def _literal(path: str) -> str:
    """A pathspec that means this folder even if its name has glob characters."""
    return f":(literal){path}"


def _is_record(repo_path: str, logs: str) -> bool:
    """The files load_records reads: *.yml under logs/, not hidden."""
    name = repo_path.rpartition("/")[2]
    return repo_path.startswith(logs) and name.endswith(".yml") and not name.startswith(".")


def _read_history(
    repo: git.Repo,
    logs: str,
    since: str | None,
    shallow: set[str],
    findings: list[Problem],
    local: Callable[[str], str],
) -> dict[str, History]:
    """(a) and (b), from one oldest-first `git log` over logs/; each path's history by local path."""
    import git as gitmodule

    try:
        repo.git.rev_parse("--verify", "-q", "HEAD")
    except gitmodule.GitCommandError:
        return {}  # an empty repository: nothing committed, nothing to check
    revisions = ["HEAD"]
    if since:
        try:
            base = repo.git.rev_parse("--verify", "-q", f"{since}^{{commit}}")
        except gitmodule.GitCommandError:
            raise PlaybookError.at(
                "--since",
                f"{since!r} is not a commit of this repository",
                "give a commit id, a tag or a branch, e.g. --since v1.0",
            ) from None
        revisions = [f"{base}..HEAD"]
    output = repo.git.log(
        *revisions,
        "--reverse",
        "--topo-order",  # parents before children even when clocks were wrong
        "--full-diff",  # list every file of a commit, not only those under logs/
        "--name-status",
        "--no-renames",
        "-z",
        f"--format={_FORMAT}",
        "--",
        _literal(logs),
    )
    histories: dict[str, History] = {}
    for commit in _parse_log(output):
        others = [path for _, path in commit.files if not path.startswith(logs)]
        records = [(status, path) for status, path in commit.files if _is_record(path, logs)]
        for status, repo_path in records:
            path = local(repo_path)
            history = histories.get(path)
            if status == "A" and (history is None or history.last is None):
                histories[path] = History(added=commit, last=commit)
                if others and commit.sha not in shallow:
                    findings.append(_mixed_commit(path, commit, others))
                continue
            if history is None:  # added before `since` (or before a shallow boundary)
                history = histories[path] = History()
            if status == "D":
                history.last = None
                history.changes.append(commit)
                findings.append(
                    Problem(
                        Location(path),
                        f"deleted after it was recorded, by {commit.describe()}",
                        f"records are never deleted; restore it with `git checkout {commit.short}^ -- {repo_path}`",
                    )
                )
                continue
            history.last = commit
            if _is_rerecord(commit, path):
                continue
            history.changes.append(commit)
            findings.append(
                Problem(
                    Location(path),
                    f"changed after it was recorded by {commit.describe()}",
                    f"see the change with `git show {commit.short} -- {repo_path}`; to correct a "
                    "record, record it again with `playbook check --amend --occurrence DATE`",
                )
            )
    return histories


def _parse_log(output: str) -> list[Commit]:
    """Commits from `git log -z --name-status` with our format, in the order git gave them."""
    commits = []
    for chunk in output.split(_COMMIT)[1:]:
        tokens = chunk.split("\0")
        sha, short, author, email, authored, committed, trailers = tokens[:_HEADER_FIELDS]
        rest = iter(tokens[_HEADER_FIELDS:])
        files = []
        for token in rest:
            status = token.strip()
            if not status:
                continue
            path = next(rest, "")
            files.append((status[0], path))
        commits.append(
            Commit(
                sha=sha,
                short=short,
                author=author,
                email=email,
                authored=datetime.fromisoformat(authored),
                committed=datetime.fromtimestamp(int(committed), UTC),
                checklists=tuple(value.strip() for value in trailers.split("\x1f") if value),
                files=tuple(files),
            )
        )
    return commits


def _is_rerecord(commit: Commit, path: str) -> bool:
    """A commit `playbook check` made to record an occurrence again: that one file, with trailers."""
    parts = path.split("/")  # logs/<checklist>/<unit>/<date>.yml
    return len(commit.files) == 1 and len(parts) == 4 and parts[1] in commit.checklists


def _mixed_commit(path: str, commit: Commit, others: list[str]) -> Problem:
    shown = ", ".join(others[:SHOWN_PATHS])
    more = len(others) - SHOWN_PATHS
    if more > 0:
        shown += f" and {more} more"
    return Problem(
        Location(path),
        f"added by {commit.describe()} together with files outside {LOGS_DIR}/: {shown}",
        "a record should arrive in a commit of its own (as `playbook check` makes it); "
        f"see `git show --stat {commit.short}`",
    )


def _shallow_boundary(repo: git.Repo) -> set[str]:
    """The commits whose parents a shallow clone lacks: their 'added' files may be older."""
    shallow = Path(repo.git_dir) / "shallow"
    if not shallow.is_file():
        return set()
    return set(shallow.read_text().split())


def _check_commit_time(
    record: Record, commit: Commit, playbook: Playbook | None, findings: list[Problem]
) -> None:
    """(c) A record cannot have been completed after it was committed (give or take the clocks)."""
    completed = record.completed_at
    if completed.tzinfo is None:
        completed = completed.replace(tzinfo=playbook.timezone if playbook else UTC)
    if completed - commit.committed <= CLOCK_SKEW:
        return
    findings.append(
        Problem(
            Location(record.path),
            f"says it was completed at {completed:%Y-%m-%d %H:%M %z}, "
            f"{_duration(completed - commit.committed)} after it was committed in {commit.short} "
            f"({commit.committed.astimezone(completed.tzinfo):%Y-%m-%d %H:%M %z})",
            "the completion time was written by hand or a clock is wrong; "
            "record the occurrence again with `playbook check --occurrence DATE`",
        )
    )


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} minutes"
    if minutes < 2 * 1440:
        return f"{minutes // 60} hours"
    return f"{minutes // 1440} days"


@dataclass(frozen=True)
class _Version:
    """What a version of a checklist asked for: its item ids and what was required."""

    items: frozenset[str]
    required_items: frozenset[str]
    required_metrics: frozenset[str]


class _Names:
    """(d) Checks that a record names a checklist, a team or person and items that exist,
    and that a "done" record holds what its checklist required.

    A record made against an older version of its checklist (a git blob id)
    is checked against that version, read from git once per version.
    """

    def __init__(self, repo: git.Repo, playbook: Playbook, root: Path) -> None:
        self.repo = repo
        self.playbook = playbook
        self.root = root
        self.current: dict[str, str] = {}
        self.versions: dict[tuple[str, str], _Version | None] = {}

    def check(self, record: Record) -> list[Problem]:
        checklist = self.playbook.checklists.get(record.checklist)
        if checklist is None:
            return [self._unknown_checklist(record)]
        findings = []
        unit = self._unit_problem(record, checklist)
        if unit:
            findings.append(unit)
        if checklist.id not in self.current:
            source = (self.root / checklist.source).read_bytes()
            self.current[checklist.id] = git_blob_id(source)
        version = _version_of(checklist)
        against = f"{checklist.source} as it is now"
        blob = record.checklist_version
        if blob and blob != self.current[checklist.id]:
            old = self.version_at(checklist, blob)
            if old is not None:
                version, against = old, f"{checklist.source} at version {blob[:10]}"
            else:
                against += f" (its version {blob[:10]} is not in git)"
        unknown = [item.id for item in record.items if item.id not in version.items]
        if unknown:
            plural = "s" if len(unknown) > 1 else ""
            findings.append(
                Problem(
                    _at(self.root, record, "items"),
                    f"names item{plural} {', '.join(map(repr, unknown))}, which {against} does not have",
                    f"the items of {checklist.id} were: {', '.join(sorted(version.items)) or 'none'}",
                )
            )
        if record.complete:
            answered = {item.id for item in record.items}
            missing_items = sorted(version.required_items - answered)
            missing_metrics = sorted(version.required_metrics - set(record.metrics))
            if missing_items or missing_metrics:
                lacks = [f"item {i!r}" for i in missing_items] + [
                    f"metric {m!r}" for m in missing_metrics
                ]
                findings.append(
                    Problem(
                        _at(self.root, record, "status"),
                        f"is marked done but lacks what {against} requires: {', '.join(lacks)}",
                        "record the occurrence again with `playbook check --amend "
                        f"--occurrence {record.occurrence}` and the missing answers",
                    )
                )
        return findings

    def _unknown_checklist(self, record: Record) -> Problem:
        known = sorted(self.playbook.checklists)
        renamed = _renamed_to(self.repo, self.root, record.checklist)
        if renamed and renamed in self.playbook.checklists:
            hint = (
                f"checklists/{record.checklist}.yml was renamed to checklists/{renamed}.yml: "
                f"move its records with `git mv logs/{record.checklist} logs/{renamed}` "
                "and commit that on its own"
            )
        else:
            close = get_close_matches(record.checklist, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            hint += f"known checklists: {', '.join(known) or 'none'}"
        return Problem(
            _at(self.root, record, "checklist"),
            f"names the checklist {record.checklist!r}, which the playbook does not have",
            hint,
        )

    def _unit_problem(self, record: Record, checklist: Checklist) -> Problem | None:
        playbook = self.playbook
        key = record.unit_kind
        if checklist.scope == "person":
            expected, known = "person", playbook.people
        elif checklist.scope == "team" and playbook.teams:
            expected, known = "team", playbook.teams
        else:
            expected, known = "playbook", {"all": None}
        if key != expected:
            return Problem(
                _at(self.root, record, key),
                f"is recorded for a {key}, but {checklist.id} is recorded per {expected}",
                f"{checklist.source} says scope: {checklist.scope}; record it again for its {expected}",
            )
        if record.unit in known:
            return None
        names = ", ".join(sorted(known)) or "none"
        return Problem(
            _at(self.root, record, key),
            f"is recorded for the {key} {record.unit!r}, which playbook.yml no longer has",
            f"if it was renamed, move logs/{record.checklist}/{record.unit}/ to its new id in one "
            f"commit; if it was removed on purpose, the record is history and --since can accept "
            f"it (known: {names})",
        )

    def version_at(self, checklist: Checklist, version: str) -> _Version | None:
        """What the checklist held at a version; None when git does not have it."""
        key = (checklist.id, version)
        if key not in self.versions:
            self.versions[key] = self._read(checklist, version)
        return self.versions[key]

    def _read(self, checklist: Checklist, version: str) -> _Version | None:
        import gitdb.exc

        try:
            text = self.repo.odb.stream(bytes.fromhex(version)).read()
            data = yaml.load(text, Loader=Loader)
        except (ValueError, gitdb.exc.BadObject, gitdb.exc.BadName, yaml.YAMLError):
            return None
        if not isinstance(data, dict):
            return None
        try:
            if checklist.onboarding_for:  # derived from the role file's onboarding plan
                items = [
                    t for phase in data.get("onboarding") or [] for t in phase.get("tasks") or []
                ]
                metrics = []
            else:
                items = [i for s in data.get("sections") or [] for i in s.get("items") or []]
                metrics = data.get("metrics") or []
            return _Version(
                frozenset(str(i["id"]) for i in items),
                frozenset(str(i["id"]) for i in items if i.get("required", True) is not False),
                frozenset(str(m["id"]) for m in metrics if m.get("required") is True),
            )
        except (AttributeError, KeyError, TypeError):
            return None


def _version_of(checklist: Checklist) -> _Version:
    return _Version(
        frozenset(item.id for item in checklist.items),
        frozenset(item.id for item in checklist.items if item.required),
        frozenset(metric.id for metric in checklist.metrics if metric.required),
    )


def _at(root: Path, record: Record, key: str) -> Location:
    """The record's file and the line of a top-level key in it."""
    try:
        lines = (root / record.path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return Location(record.path)
    for number, line in enumerate(lines, 1):
        if line.startswith(f"{key}:"):
            return Location(record.path, number, 1)
    return Location(record.path, 1, 1)


def _renamed_to(repo: git.Repo, root: Path, checklist_id: str) -> str | None:
    """The id a checklist file was last renamed to, from git, if it was renamed."""
    import git as gitmodule

    prefix = root.resolve().relative_to(Path(repo.working_tree_dir or root).resolve()).as_posix()
    folder = "checklists/" if prefix == "." else f"{prefix}/checklists/"
    old = f"{folder}{checklist_id}.yml"
    try:
        output = repo.git.log(
            "-M", "--diff-filter=R", "--name-status", "--format=", "--", _literal(folder)
        )
    except gitmodule.GitCommandError:
        return None
    for line in output.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[1].endswith(old):
            return Path(parts[2]).stem
    return None
