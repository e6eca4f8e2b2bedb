"""The `playbook` command: parse options, call one core function, render errors once."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .errors import PlaybookError

F = TypeVar("F", bound=Callable[..., Any])


def reports_problems(command: F) -> F:
    """Turn PlaybookError into its messages on stderr and exit code 1, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except PlaybookError as exc:
            click.echo(exc.render(), err=True)
            count = len(exc.problems)
            click.secho(f"{count} problem{'s' if count != 1 else ''} found.", fg="red", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


root_argument = click.argument(
    "root",
    default=".",
    type=click.Path(file_okay=False, path_type=Path),
)
config_option = click.option(
    "-f",
    "--config-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default="mkdocs.yml",
    show_default=True,
    help="The MkDocs configuration of the site.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="playbook")
def main() -> None:
    """A sales playbook as YAML in git: a searchable site and recurring review checklists.

    \b
    Example:
      playbook validate        # check every file, print every problem
      playbook build --strict  # build the site into site/
      playbook serve           # live preview on http://127.0.0.1:8000

    Shell completion (bash): eval "$(_PLAYBOOK_COMPLETE=bash_source playbook)"
    """


def _cadence_help() -> str:
    from .schedule import CADENCE_EXAMPLES

    return "\b\nCadence phrases a checklist may use:\n" + "\n".join(
        f"  {c}" for c in CADENCE_EXAMPLES
    )


@main.command(epilog=_cadence_help())
@root_argument
@reports_problems
def validate(root: Path) -> None:
    """Load and cross-check every playbook file under ROOT.

    Prints each problem as file:line:column with a hint, and exits 1 if there
    is any.

    \b
    Example:
      playbook validate
      playbook validate path/to/playbook
    """
    from .load import load_playbook

    started = time.perf_counter()
    playbook = load_playbook(root)
    seconds = time.perf_counter() - started
    click.echo(
        f"OK: {len(playbook.roles)} roles and {len(playbook.checklists)} checklists "
        f"checked in {seconds:.2f} s."
    )


@main.command()
@config_option
@click.option("--strict", is_flag=True, help="Treat every MkDocs warning as an error.")
@click.option(
    "-d",
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the site (default: site/ from mkdocs.yml).",
)
@click.option("-v", "--verbose", is_flag=True, help="Show MkDocs' own progress messages.")
@reports_problems
def build(config_file: Path, strict: bool, site_dir: Path | None, verbose: bool) -> None:
    """Validate the playbook, then build the site with MkDocs.

    Nothing is written when validation fails.

    \b
    Example:
      playbook build --strict
      playbook build --site-dir public
    """
    from .load import load_playbook
    from .site.build import build_site

    started = time.perf_counter()
    playbook = load_playbook(config_file.parent)
    click.echo(
        f"Loaded {len(playbook.roles)} roles and {len(playbook.checklists)} checklists.", err=True
    )
    with _progress() as progress:
        built = build_site(config_file, site_dir, strict, progress, verbose)
    seconds = time.perf_counter() - started
    click.echo(f"Built {built.pages} pages into {built.site_dir} in {seconds:.1f} s.")


class _progress:
    """A progress bar for large builds on a terminal; quiet otherwise."""

    THRESHOLD = 300

    def __enter__(self) -> Callable[[int, int], None]:
        self.bar: Any = None
        return self.update

    def update(self, done: int, total: int) -> None:
        if total < self.THRESHOLD or not sys.stderr.isatty():
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Rendering pages", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(1)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


@main.command()
@config_option
@click.option(
    "-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on."
)
@click.option("--strict", is_flag=True, help="Treat every MkDocs warning as an error.")
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow an address beyond this machine; anyone who can reach it can record.",
)
@reports_problems
def serve(config_file: Path, dev_addr: str, strict: bool, allow_remote: bool) -> None:
    """Preview the site live and record checklists from the browser.

    The site rebuilds when a YAML, Markdown or record file changes. Each
    checklist page gets a form whose Record button commits the record, just
    like `playbook check`. Only pages served by this process can record.

    \b
    Example:
      playbook serve
      playbook serve --dev-addr 127.0.0.1:8080
    """
    from .load import load_playbook
    from .site.build import serve_site

    load_playbook(config_file.parent)
    serve_site(config_file, dev_addr, strict, allow_remote)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Write into DIRECTORY even if it is not empty.")
@click.option("--no-git", is_flag=True, help="Do not create a git repository.")
@reports_problems
def init(directory: Path, force: bool, no_git: bool) -> None:
    """Create a new playbook repository in DIRECTORY.

    It holds sample roles and checklists, mkdocs.yml, JSON Schemas for editors,
    publishing workflows for GitHub Pages and GitLab Pages, and a first commit.

    \b
    Example:
      playbook init acme-playbook && cd acme-playbook && playbook serve
    """
    from .scaffold import init_playbook

    written = init_playbook(directory, force=force, git=not no_git)
    click.echo(f"Created a playbook in {directory} ({len(written)} files).")
    click.echo(f"Next: cd {directory} && playbook serve")


@main.command()
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default="schemas",
    show_default=True,
    help="Folder to write the schemas into.",
)
@reports_problems
def schema(out: Path) -> None:
    """Write JSON Schemas for role, checklist and playbook.yml files.

    YAML files that start with a `# yaml-language-server: $schema=...` line
    then get completion and error marks in VS Code and other editors.

    \b
    Example:
      playbook schema --out schemas
    """
    from .schema import write_schemas

    for path in write_schemas(out):
        click.echo(f"Wrote {path}")


def _parse_pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{value!r} is not ID=VALUE", param_hint=option)
        pairs[key.strip()] = rest
    return pairs


def _parse_day(value: str | None, option: str) -> Any:
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option
        ) from None


@main.command()
@click.argument("checklist")
@click.option("--team", help="The team the record is for (checklists run per team).")
@click.option("--person", help="The person the record is for (onboarding checklists).")
@click.option("--occurrence", help="The occurrence's date, YYYY-MM-DD (default: the one due now).")
@click.option("--all", "all_items", is_flag=True, help="Every item not skipped is done.")
@click.option("--item", "items", multiple=True, help="An item that is done (repeatable).")
@click.option("--skip", "skips", multiple=True, help="ID=REASON: an item skipped, and why.")
@click.option("--metric", "metrics", multiple=True, help="ID=VALUE: a number to capture.")
@click.option("--note", default="", help="A note for the record.")
@click.option("--by", help='Who completed it, "Name <email>" (default: your git identity).')
@click.option("--partial", is_flag=True, help="Save progress; required items may stay open.")
@click.option("--no-commit", is_flag=True, help="Write the record file but do not commit it.")
@click.option("--dry-run", is_flag=True, help="Validate and show the record; write nothing.")
@click.option("-C", "--root", type=click.Path(file_okay=False, path_type=Path), default=".")
@reports_problems
def check(
    checklist: str,
    team: str | None,
    person: str | None,
    occurrence: str | None,
    all_items: bool,
    items: tuple[str, ...],
    skips: tuple[str, ...],
    metrics: tuple[str, ...],
    note: str,
    by: str | None,
    partial: bool,
    no_commit: bool,
    dry_run: bool,
    root: Path,
) -> None:
    """Record a completed CHECKLIST as its own git commit.

    Without items on a terminal it walks you through each item and metric.

    \b
    Example:
      playbook check monday-kickoff --team warsaw --all --metric new-leads=42
      playbook check friday-numbers --team hanoi --item lead-quality \\
          --skip proposals="no proposals this week" --note "quiet week"
    """
    from .recording import CheckRequest, record_completion

    request = CheckRequest(
        checklist=checklist,
        team=team,
        person=person,
        occurrence=_parse_day(occurrence, "--occurrence"),
        all_items=all_items,
        done=list(items),
        skipped=_parse_pairs(skips, "--skip"),
        metrics=_parse_pairs(metrics, "--metric"),
        note=note,
        by=by,
        partial=partial,
    )
    if not (all_items or items or skips) and sys.stdin.isatty():
        from .interactive import fill_interactively

        request = fill_interactively(root, request)
    outcome = record_completion(root, request, commit=not no_commit, dry_run=dry_run)
    record = outcome.prepared.record
    click.echo(f"Recording {outcome.prepared.picked}.", err=True)
    if dry_run:
        click.echo(record.to_yaml(), nl=False)
        click.echo(f"Dry run: nothing written ({outcome.path}).", err=True)
        return
    state = "done" if record.complete else "partial"
    where = f"commit {outcome.commit[:10]}" if outcome.commit else "not committed"
    click.echo(
        f"Recorded {record.checklist} {record.occurrence} for {record.unit}: {state} ({where})."
    )


@main.command()
@click.option("--as-of", help="Judge as of this date or ISO time (default: now).")
@click.option("--team", help="Only this team.")
@click.option("--owner", help="Only checklists run by this role.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("--fail-on-overdue", is_flag=True, help="Exit 2 when anything is overdue.")
@click.option("-C", "--root", type=click.Path(file_okay=False, path_type=Path), default=".")
@reports_problems
def status(
    as_of: str | None,
    team: str | None,
    owner: str | None,
    fmt: str,
    fail_on_overdue: bool,
    root: Path,
) -> None:
    """What is done, due, overdue and coming, per checklist and team.

    \b
    Example:
      playbook status
      playbook status --team warsaw --fail-on-overdue   # for cron or CI alerts
      playbook status --as-of 2026-12-31 --format json
    """
    from .report import status_report

    text, overdue = status_report(root, as_of, team, owner, fmt)
    click.echo(text)
    if fail_on_overdue and overdue:
        sys.exit(2)


@main.command()
@click.argument("checklist")
@click.option("--team", help="Only this team (or person).")
@click.option("--as-of", help="Judge as of this date or ISO time (default: now).")
@click.option("-C", "--root", type=click.Path(file_okay=False, path_type=Path), default=".")
@reports_problems
def history(checklist: str, team: str | None, as_of: str | None, root: Path) -> None:
    """Every occurrence of CHECKLIST with its state, who recorded it, when, and its metrics.

    \b
    Example:
      playbook history monday-kickoff --team warsaw
    """
    from .report import history_report

    click.echo(history_report(root, checklist, team, as_of))


@main.command()
@click.option("-C", "--root", type=click.Path(file_okay=False, path_type=Path), default=".")
@reports_problems
def audit(root: Path) -> None:
    """Check the records against git history; exit 1 on any finding.

    Finds records added together with other files, edited by hand after they
    were recorded, dated after their commit, naming unknown checklists or
    items, not committed, or not readable.

    \b
    Example:
      playbook audit
    """
    from .audit import audit as run_audit

    findings = run_audit(root)
    if findings:
        raise PlaybookError(findings)
    click.echo("OK: every record was committed on its own and is unchanged since.")


@main.command()
@click.option("--team", help="Only this team's checklists.")
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the feed to this .ics file (default: standard output).",
)
@click.option("-C", "--root", type=click.Path(file_okay=False, path_type=Path), default=".")
@reports_problems
def calendar(team: str | None, out: Path | None, root: Path) -> None:
    """An iCalendar feed with one recurring event per checklist and team.

    Subscribe to it in Outlook or Google Calendar; the built site also
    publishes it as calendar.ics (and calendar-TEAM.ics per team).

    \b
    Example:
      playbook calendar --team warsaw --out warsaw.ics
    """
    from datetime import datetime

    from .ical import calendar_feed
    from .load import load_playbook

    playbook = load_playbook(root)
    feed = calendar_feed(playbook, team, datetime.now(playbook.timezone))
    if out is None:
        click.echo(feed.decode(), nl=False)
    else:
        out.write_bytes(feed)
        click.echo(f"Wrote {out}.", err=True)
