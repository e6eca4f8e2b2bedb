"""The `playbook` command: parse options, call one core function, render errors once.

Every command is a `PlaybookCommand`, so none can forget the two things they
share: `-C DIR` (also accepted before the command, as in git) and the error
boundary that turns every PlaybookError, OSError and interrupt into readable
lines and a documented exit code.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import __version__
from .dates import DateSyntaxError, When, parse_when
from .errors import Location, PlaybookError, Problem

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2  # Click's own usage errors
EXIT_OVERDUE = 3
EXIT_INTERRUPTED = 130  # the shell's code for Ctrl-C

EXIT_CODES_HELP = (
    "\b\nExit codes:\n"
    "  0    ok\n"
    "  1    problems found (each printed with its location and a hint)\n"
    "  2    usage error: an unknown option or a malformed value\n"
    "  3    something is overdue (status --fail-on-overdue)\n"
    "  130  interrupted (Ctrl-C); nothing was written"
)
ROOT_KEY = "playbook.root"


def _change_directory(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    """`-C DIR`: run as if started in DIR, like `git -C DIR`; relative paths follow."""
    if value is None:
        return
    try:
        os.chdir(value)
    except OSError as exc:
        raise click.BadParameter(f"cannot change to {str(value)!r}: {exc.strerror}") from None


def directory_option() -> Callable[[Any], Any]:
    return click.option(
        "-C",
        "run_in",
        type=click.Path(path_type=Path),
        metavar="DIR",
        expose_value=False,
        is_eager=True,
        callback=_change_directory,
        help="Run as if started in DIR; the playbook is the nearest folder holding "
        "playbook.yml at or above it.",
    )


def index_progress() -> Callable[[int, int], None] | None:
    """Progress of a record index being built, on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        if done < total:
            click.echo(f"\rIndexing records: {done:,} of {total:,} files", err=True, nl=False)
        else:
            click.echo("\r\033[K", err=True, nl=False)  # the table follows on a clean line

    return show


def playbook_root() -> Path:
    """The absolute root of the playbook the user stands in (searched upward, like git)."""
    from .locate import find_root

    root = find_root(Path.cwd())
    click.get_current_context().meta[ROOT_KEY] = root
    return root


def _shown(location: Location, root: Path | None) -> Location:
    """The location with its file relative to where the user stands, when it is a path."""
    name = location.file
    if not name or name.startswith("-") or name.isupper():
        return location  # an option or an argument name, not a file
    path = Path(name) if Path(name).is_absolute() else (root or Path.cwd()) / name
    if not Path(name).is_absolute() and not (path.exists() or path.parent.is_dir()):
        return location
    here = Path.cwd()
    shown = f"this folder ({here.name})" if path.resolve() == here else os.path.relpath(path, here)
    return Location(shown, location.line, location.column)


def render_problems(exc: PlaybookError, root: Path | None) -> str:
    problems = [
        Problem(_shown(p.location, root), p.message, p.hint, p.key_path) for p in exc.problems
    ]
    return PlaybookError(problems).render()


class PlaybookCommand(click.Command):
    """A command with `-C DIR` and the one error boundary."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        directory_option()(self)
        self.epilog = "\n\n".join(filter(None, [self.epilog, EXIT_CODES_HELP]))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PlaybookError as exc:
            click.echo(render_problems(exc, ctx.meta.get(ROOT_KEY)), err=True)
            count = len(exc.problems)
            click.secho(f"{count} problem{'s' if count != 1 else ''} found.", fg="red", err=True)
            ctx.exit(EXIT_PROBLEMS)
        except OSError as exc:
            # Permission denied, disk full, a folder where a file should be: one line, no traceback.
            where = f"{os.path.relpath(exc.filename)}: " if exc.filename else ""
            click.secho(f"error: {where}{exc.strerror or exc}", fg="red", err=True)
            ctx.exit(EXIT_PROBLEMS)
        except (KeyboardInterrupt, click.Abort):
            click.echo("\nInterrupted: nothing was written.", err=True)
            ctx.exit(EXIT_INTERRUPTED)


class PlaybookGroup(click.Group):
    """The `playbook` group: every command is a PlaybookCommand; `-C` never leaks out."""

    command_class = PlaybookCommand

    def main(self, *args: Any, **kwargs: Any) -> Any:
        # `-C` changes the working directory; put it back for callers in the same
        # process (tests, scripts) once the command is over.
        started_in = os.getcwd()
        try:
            return super().main(*args, **kwargs)
        finally:
            os.chdir(started_in)


class DateType(click.ParamType):
    """A date in the one accepted syntax (see playbook/dates.py); anything else is a usage error."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> When:
        if isinstance(value, When):
            return value
        try:
            return parse_when(str(value))
        except DateSyntaxError as exc:
            self.fail(str(exc), param, ctx)


class AddressType(click.ParamType):
    name = "HOST:PORT"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from .site.address import parse_dev_addr

        try:
            parse_dev_addr(str(value))
        except PlaybookError as exc:
            self.fail(f"{exc.problems[0].message} ({exc.problems[0].hint})", param, ctx)
        return str(value)


DATE = DateType()
DATE_HELP = (
    "YYYY-MM-DD, YYYY-MM-DDTHH:MM with a zone (Z or +01:00), today or yesterday; "
    "a plain date means the end of that day in the playbook's zone"
)


@click.group(
    cls=PlaybookGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EXIT_CODES_HELP,
)
@directory_option()
@click.version_option(__version__, prog_name="playbook")
def main() -> None:
    """A sales playbook as YAML in git: a searchable site and recurring review checklists.

    Every command works on the playbook you stand in: the nearest folder at or
    above the working directory that holds playbook.yml (or pass -C DIR).

    \b
    Example:
      playbook validate        # check every file, print every problem
      playbook build --strict  # build the site into site/
      playbook -C roles status   # from anywhere inside the playbook

    Shell completion (bash): eval "$(_PLAYBOOK_COMPLETE=bash_source playbook)"
    """


def _cadence_help() -> str:
    from .schedule import CADENCE_EXAMPLES

    return "\b\nCadence phrases a checklist may use:\n" + "\n".join(
        f"  {c}" for c in CADENCE_EXAMPLES
    )


@main.command(epilog=_cadence_help())
def validate() -> None:
    """Load and cross-check every playbook file.

    Prints each problem as file:line:column with a hint, and exits 1 if there
    is any.

    \b
    Example:
      playbook validate
      playbook -C roles validate
    """
    from .load import load_playbook

    started = time.perf_counter()
    playbook = load_playbook(playbook_root())
    seconds = time.perf_counter() - started
    for warning in playbook.warnings:
        click.secho(f"warning: {warning.render()}", fg="yellow", err=True)
    click.echo(
        f"OK: {len(playbook.roles)} roles and {len(playbook.checklists)} checklists "
        f"checked in {seconds:.2f} s."
    )


config_option = click.option(
    "-f",
    "--config-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The MkDocs configuration of the site (default: mkdocs.yml of the playbook).",
)


def _site_config(config_file: Path | None) -> tuple[Path, Path]:
    """(playbook root, mkdocs.yml): the file given, or the found playbook's own."""
    if config_file is not None:
        config_file = config_file.resolve()
        return config_file.parent, config_file
    root = playbook_root()
    return root, root / "mkdocs.yml"


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
def build(config_file: Path | None, strict: bool, site_dir: Path | None, verbose: bool) -> None:
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
    root, config = _site_config(config_file)
    playbook = load_playbook(root)
    click.echo(
        f"Loaded {len(playbook.roles)} roles and {len(playbook.checklists)} checklists.", err=True
    )
    with _progress() as progress:
        built = build_site(config, site_dir and site_dir.resolve(), strict, progress, verbose)
    seconds = time.perf_counter() - started
    languages = f" in {', '.join(built.languages)}" if len(built.languages) > 1 else ""
    click.echo(
        f"Built {built.pages} pages{languages} into {os.path.relpath(built.site_dir)} "
        f"in {seconds:.1f} s."
    )


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
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export(directory: Path) -> None:
    """Write the site to DIRECTORY as plain files that any MkDocs-compatible engine builds.

    DIRECTORY gets the generated pages, feeds and assets, the hand-written docs
    with their markers replaced, and a mkdocs.yml without the playbook plugin:
    `mkdocs build`, ProperDocs or `zensical build` there builds the playbook.
    An earlier export is replaced only once the new one is complete, keeping
    what was added beside it (a built site/); any other folder that is not
    empty is refused.

    \b
    Example:
      playbook export ../plain-site
    """
    from .site.export import export_site

    started = time.perf_counter()
    done = export_site(
        playbook_root(), directory, progress=lambda stage: click.echo(f"{stage}...", err=True)
    )
    for warning in done.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    shown = os.path.relpath(done.directory)
    verb = "Replaced the export in" if done.replaced else "Exported to"
    click.echo(
        f"{verb} {shown}: {done.pages} pages, {done.files} files "
        f"in {time.perf_counter() - started:.1f} s. Build it with: cd {shown} && mkdocs build"
    )


@main.command()
@config_option
@click.option(
    "-a",
    "--dev-addr",
    type=AddressType(),
    default="127.0.0.1:8000",
    show_default=True,
    help="Address to serve on; localhost and 127.0.0.1 stay on this machine.",
)
@click.option("--strict", is_flag=True, help="Treat every MkDocs warning as an error.")
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow an address beyond this machine; anyone who can reach it can record.",
)
def serve(config_file: Path | None, dev_addr: str, strict: bool, allow_remote: bool) -> None:
    """Preview the site live and record checklists from the browser.

    The site rebuilds when a YAML, Markdown or record file changes. Each
    checklist page gets a form whose Record button commits the record, just
    like `playbook check`. Only pages served by this process can record.

    \b
    Example:
      playbook serve
      playbook serve --dev-addr localhost:8080
    """
    from .load import load_playbook
    from .site.build import serve_site

    root, config = _site_config(config_file)
    load_playbook(root)
    serve_site(config, dev_addr, strict, allow_remote)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Also into a folder that is not empty: add only the sample files it lacks, "
    "never overwrite one.",
)
@click.option("--no-git", is_flag=True, help="Do not create a git repository.")
def init(directory: Path, force: bool, no_git: bool) -> None:
    """Create a new playbook repository in DIRECTORY.

    It holds sample roles and checklists, mkdocs.yml, JSON Schemas for editors,
    publishing workflows for GitHub Pages and GitLab Pages, and a first commit.
    An existing file is never replaced.

    \b
    Example:
      playbook init acme-playbook
    """
    from .scaffold import init_playbook

    made = init_playbook(directory.resolve(), force=force, git=not no_git)
    shown = os.path.relpath(directory.resolve())
    click.echo(f"Created a playbook in {shown} ({len(made.written)} files).")
    if made.skipped:
        click.echo(f"Kept {len(made.skipped)} existing files as they were:")
        for path in made.skipped:
            click.echo(f"  {path.as_posix()}")
    if made.uncommitted:
        click.echo(
            f"The first commit holds the sample only; {len(made.uncommitted)} files of yours are"
        )
        click.echo("not committed: " + ", ".join(p.as_posix() for p in made.uncommitted[:10]))
        click.echo("Add the ones the team should share with `git add` and commit them.")
    click.echo(f"Next: cd {shown} && playbook serve")


@main.command()
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the schemas into (default: schemas/ of the playbook, "
    "or of this folder outside one).",
)
def schema(out: Path | None) -> None:
    """Write JSON Schemas for role, checklist and playbook.yml files.

    YAML files that start with a `# yaml-language-server: $schema=...` line
    then get completion and error marks in VS Code and other editors.

    \b
    Example:
      playbook schema --out schemas
    """
    from .schema import write_schemas

    if out is None:
        try:
            out = playbook_root() / "schemas"
        except PlaybookError:
            out = Path("schemas")
    for path in write_schemas(out.resolve()):
        click.echo(f"Wrote {os.path.relpath(path)}")


def _parse_pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition("=")
        key = key.strip()
        if not sep or not key:
            raise click.BadParameter(f"{value!r} is not ID=VALUE", param_hint=option)
        if key in pairs:
            raise click.BadParameter(
                f"{key!r} is given twice ({pairs[key]!r} and {rest!r}); give it once",
                param_hint=option,
            )
        pairs[key] = rest
    return pairs


@main.command()
@click.argument("checklist")
@click.option("--team", help="The team the record is for (checklists run per team).")
@click.option("--person", help="The person the record is for (onboarding checklists).")
@click.option(
    "--occurrence",
    type=DATE,
    help=f"The occurrence's date (default: the one due now): {DATE_HELP}.",
)
@click.option("--all", "all_items", is_flag=True, help="Every item not skipped is done.")
@click.option("--item", "items", multiple=True, help="An item that is done (repeatable).")
@click.option("--skip", "skips", multiple=True, help="ID=REASON: an item skipped, and why.")
@click.option("--metric", "metrics", multiple=True, help="ID=VALUE: a number to capture.")
@click.option("--note", default="", help="A note for the record.")
@click.option("--by", help='Who completed it, "Name <email>" (default: your git identity).')
@click.option("--partial", is_flag=True, help="Save progress; required items may stay open.")
@click.option(
    "--amend",
    is_flag=True,
    help="Replace the existing record of this occurrence; the amendment is its own commit.",
)
@click.option("--no-commit", is_flag=True, help="Write the record file but do not commit it.")
@click.option("--dry-run", is_flag=True, help="Validate and show the record; write nothing.")
def check(
    checklist: str,
    team: str | None,
    person: str | None,
    occurrence: When | None,
    all_items: bool,
    items: tuple[str, ...],
    skips: tuple[str, ...],
    metrics: tuple[str, ...],
    note: str,
    by: str | None,
    partial: bool,
    amend: bool,
    no_commit: bool,
    dry_run: bool,
) -> None:
    """Record a completed CHECKLIST as its own git commit.

    Without items on a terminal it walks you through each item and metric;
    Ctrl-C at any point writes nothing. Recording needs a branch checked out
    (not a detached HEAD) and no merge or rebase in progress.

    \b
    Example:
      playbook check monday-kickoff --team warsaw --all --metric leads=42 \\
          --metric new-customers=3 --metric forecast-revenue=120000 --metric actual-revenue=95000
      playbook check friday-numbers --team saigon --item lead-quality \\
          --skip process-proposals="no proposals this week" --partial --dry-run
    """
    from .recording import CheckRequest, record_completion
    from .report import verdict

    root = playbook_root()
    request = CheckRequest(
        checklist=checklist,
        team=team,
        person=person,
        occurrence=_occurrence_day(occurrence, root),
        all_items=all_items,
        done=list(items),
        skipped=_parse_pairs(skips, "--skip"),
        metrics=_parse_pairs(metrics, "--metric"),
        note=note,
        by=by,
        partial=partial,
        amend=amend,
    )
    if not (all_items or items or skips) and sys.stdin.isatty():
        from .interactive import fill_interactively

        request = fill_interactively(root, request)
    outcome = record_completion(root, request, commit=not no_commit, dry_run=dry_run)
    record = outcome.prepared.record
    click.echo(f"Recording {outcome.prepared.picked}.", err=True)
    if dry_run:
        click.echo(record.to_yaml(), nl=False)
        click.echo(f"Dry run: nothing written ({os.path.relpath(outcome.path)}).", err=True)
        return
    where = f"commit {outcome.commit[:10]}" if outcome.commit else "not committed"
    click.echo(
        f"Recorded {record.checklist} {record.occurrence} for {record.unit}: "
        f"{verdict(outcome.prepared)} ({where})."
    )


def _occurrence_day(occurrence: When | None, root: Path) -> Any:
    """The day meant; `today` and `yesterday` are read in the playbook's zone."""
    if occurrence is None:
        return None
    from .load import load_playbook

    return occurrence.day(load_playbook(root).timezone)


@main.command()
@click.option("--as-of", type=DATE, help=f"Judge as of this moment (default: now): {DATE_HELP}.")
@click.option("--team", help="Only this team, or this person (their onboarding, their team's).")
@click.option("--owner", help="Only checklists run by this role.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option(
    "--fail-on-overdue",
    is_flag=True,
    help=f"Exit {EXIT_OVERDUE} when anything is overdue (for cron or CI alerts).",
)
def status(
    as_of: When | None, team: str | None, owner: str | None, fmt: str, fail_on_overdue: bool
) -> None:
    """What is done, due, overdue and coming, per checklist and team.

    \b
    Example:
      playbook status
      playbook status --team warsaw --fail-on-overdue
      playbook status --as-of 2026-12-31 --format json
    """
    from .record_index import check_early

    root = playbook_root()
    check_early(root)  # runs while the modules below load
    from .report import status_report

    text, overdue = status_report(root, as_of, team, owner, fmt, index_progress())
    click.echo(text)
    if fail_on_overdue and overdue:
        sys.exit(EXIT_OVERDUE)


@main.command()
@click.argument("checklist")
@click.option("--team", help="Only this team, or this person.")
@click.option("--as-of", type=DATE, help=f"Judge as of this moment (default: now): {DATE_HELP}.")
def history(checklist: str, team: str | None, as_of: When | None) -> None:
    """Every occurrence of CHECKLIST with its state, who recorded it, when, and its metrics.

    Times are shown in the zone of the team (or person) the checklist is for.

    \b
    Example:
      playbook history monday-kickoff --team warsaw
      playbook history onboarding-sdr --team marta-lewandowska
    """
    from .record_index import check_early

    root = playbook_root()
    check_early(root)  # runs while the modules below load
    from .report import history_report

    click.echo(history_report(root, checklist, team, as_of, index_progress()))


@main.command()
def audit() -> None:
    """Check the records against git history; exit 1 on any finding.

    Finds records added together with other files, edited by hand after they
    were recorded, dated after their commit, naming checklists, teams, people
    or items that do not exist (or were renamed), marked done without their
    required items or metrics, not committed, or not readable. Amendments
    (`check --amend`) are listed, not counted as findings.

    \b
    Example:
      playbook audit
    """
    from .audit import audit_report

    report = audit_report(playbook_root())
    for amendment in report.amendments:
        click.echo(amendment.describe(), err=bool(report.findings))
    if report.findings:
        raise PlaybookError(report.findings)
    amended = f" ({len(report.amendments)} amended on purpose)" if report.amendments else ""
    click.echo(f"OK: every record was committed on its own and is unchanged since{amended}.")


@main.command()
@click.option("--team", help="Only this team's checklists.")
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the feed to this .ics file, creating its folder (default: standard output).",
)
def calendar(team: str | None, out: Path | None) -> None:
    """An iCalendar feed with one recurring event per checklist and team.

    Subscribe to it in Outlook or Google Calendar; the built site also
    publishes it as calendar.ics (and calendar-TEAM.ics per team).

    \b
    Example:
      playbook calendar --team warsaw --out warsaw.ics
    """
    from . import clock
    from .ical import calendar_feed
    from .load import load_playbook

    playbook = load_playbook(playbook_root())
    feed = calendar_feed(playbook, team, clock.now(playbook.timezone))
    if out is None:
        click.echo(feed.decode(), nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(feed)
    click.echo(f"Wrote {os.path.relpath(out)}.", err=True)


@main.command()
@click.option(
    "--strict", is_flag=True, help="Exit 1 when anything is missing, stale or partly translated."
)
def translations(strict: bool) -> None:
    """Per language: which roles, checklists and pages lack a translation or have a stale one.

    A translation is stale when its source changed after it was made (its
    translated_from is no longer the source's git blob id).

    \b
    Example:
      playbook translations
      playbook translations --strict   # in CI: fail until every language is complete
    """
    from .load import load_playbook
    from .translations import report

    playbook = load_playbook(playbook_root())
    text, complete = report(playbook.languages, playbook.translations)
    click.echo(text)
    if strict and not complete:
        sys.exit(EXIT_PROBLEMS)


def _users_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--users",
        "users_path",
        type=click.Path(dir_okay=False, path_type=Path),
        required=True,
        envvar="PLAYBOOK_USERS",
        help="The users file, outside the repository (or PLAYBOOK_USERS).",
    )(function)


def _smtp_options(function: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--smtp-host", envvar="PLAYBOOK_SMTP_HOST", help="Mail server (or PLAYBOOK_SMTP_HOST)."
        ),
        click.option(
            "--smtp-port", type=int, default=25, show_default=True, envvar="PLAYBOOK_SMTP_PORT"
        ),
        click.option(
            "--smtp-security",
            type=click.Choice(["none", "starttls", "tls"]),
            default="none",
            show_default=True,
            envvar="PLAYBOOK_SMTP_SECURITY",
        ),
        click.option("--smtp-user", default="", envvar="PLAYBOOK_SMTP_USER"),
        click.option(
            "--smtp-from", "smtp_from", envvar="PLAYBOOK_SMTP_FROM", help="The sender address."
        ),
        click.option(
            "--site-url",
            envvar="PLAYBOOK_SITE_URL",
            help="Where the checklist pages are, for the links (default: site_url of mkdocs.yml).",
        ),
        click.option(
            "--reminder-log",
            type=click.Path(dir_okay=False, path_type=Path),
            envvar="PLAYBOOK_REMINDER_LOG",
            help="What was sent already (JSON lines, outside the repository).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _smtp(
    root: Path, host: str | None, port: int, security: str, user: str, sender: str | None
) -> Any:
    from .server.remind import Security, Smtp

    if not host:
        raise click.UsageError("give --smtp-host (or PLAYBOOK_SMTP_HOST), or use --dry-run")
    if not sender:
        raise click.UsageError("give --smtp-from (or PLAYBOOK_SMTP_FROM), the sender address")
    # The password only from the environment: options show up in `ps`.
    password = os.environ.get("PLAYBOOK_SMTP_PASSWORD", "")
    return Smtp(host, port, sender, user, password, Security(security))


def _site_url(root: Path, given: str | None) -> str:
    if given:
        return given
    import yaml

    try:
        config = yaml.load(
            (root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader
        )
    except (OSError, yaml.YAMLError):
        config = None
    url = config.get("site_url") if isinstance(config, dict) else None
    if not url:
        raise click.UsageError("give --site-url (or set site_url in mkdocs.yml) for the links")
    return str(url)


def _reminder_log(value: Path | None) -> Path:
    if value is None:
        raise click.UsageError(
            "give --reminder-log FILE (or PLAYBOOK_REMINDER_LOG), outside the repository"
        )
    return value


@main.command()
@click.option("--as-of", type=DATE, help=f"Remind as of this moment (default: now): {DATE_HELP}.")
@click.option("--dry-run", is_flag=True, help="Print the messages; send and log nothing.")
@_smtp_options
def remind(
    as_of: When | None,
    dry_run: bool,
    smtp_host: str | None,
    smtp_port: int,
    smtp_security: str,
    smtp_user: str,
    smtp_from: str | None,
    site_url: str | None,
    reminder_log: Path | None,
) -> None:
    """E-mail each owner a digest of the reviews due today and overdue, once each.

    Owners are the team members whose role (or id) a checklist names in
    `owners`, else the team's manager. Run it from cron, or let `playbook
    server --remind-at` run it daily. The SMTP password is read from
    PLAYBOOK_SMTP_PASSWORD only.

    \b
    Example:
      playbook remind --dry-run --site-url https://playbook.example.com --reminder-log ../reminders.jsonl
    """
    from .gitrepo import open_repository
    from .load import load_playbook
    from .server.remind import send_reminders
    from .server.users import refuse_inside

    root = playbook_root()
    log_path = _reminder_log(reminder_log)
    try:
        top = Path(open_repository(root).working_tree_dir or root)
    except PlaybookError:
        top = root
    refuse_inside(log_path, top)
    url = _site_url(root, site_url)
    smtp = (
        None if dry_run else _smtp(root, smtp_host, smtp_port, smtp_security, smtp_user, smtp_from)
    )
    moment = as_of.moment(load_playbook(root).timezone) if as_of else None
    digests = send_reminders(root, log_path, url, smtp, moment)
    for digest in digests:
        if dry_run:
            click.echo(
                digest.message(smtp_from or "playbook", load_playbook(root).title).as_string()
            )
    verb = "would send" if dry_run else "sent"
    click.echo(
        f"{verb.capitalize()} {len(digests)} digest{'s' if len(digests) != 1 else ''}.", err=True
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@_users_option
@click.option(
    "--push",
    "push",
    metavar="REMOTE",
    help="Push each record to this git remote, and pull from it.",
)
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    multiple=True,
    metavar="ADDR",
    help="A reverse proxy (address or network) whose X-Forwarded-User header names the user.",
)
@click.option(
    "--pull-every", default=60.0, show_default=True, help="Seconds between pulls from the remote."
)
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--remind-at", metavar="HH:MM", help="Send the reminders daily at this time (playbook's zone)."
)
@_smtp_options
def server(
    host: str,
    port: int,
    users_path: Path,
    push: str | None,
    trusted_proxies: tuple[str, ...],
    pull_every: float,
    threads: int,
    remind_at: str | None,
    smtp_host: str | None,
    smtp_port: int,
    smtp_security: str,
    smtp_user: str,
    smtp_from: str | None,
    site_url: str | None,
    reminder_log: Path | None,
) -> None:
    """Run the team server: the site behind sign-in, recording, push to the shared repository.

    Managers sign in with a password from the users file (or through a reverse
    proxy given with --trusted-proxy), record for their own teams, and each
    record is committed as its signed-in author and, with --push, pushed.

    \b
    Example:
      playbook server --users /etc/playbook/users.json --push origin
    """
    import logging
    from ipaddress import ip_network

    from .server.run import Options, Reminders, serve_team

    for address in trusted_proxies:
        try:
            ip_network(address, strict=False)
        except ValueError:
            raise click.BadParameter(
                f"{address!r} is not an address or network", param_hint="--trusted-proxy"
            ) from None
    root = playbook_root()
    reminders = None
    if remind_at:
        if len(remind_at) != 5 or remind_at[2] != ":" or not remind_at.replace(":", "").isdigit():
            raise click.BadParameter(
                "write the time as HH:MM, e.g. 08:00", param_hint="--remind-at"
            )
        smtp = _smtp(root, smtp_host, smtp_port, smtp_security, smtp_user, smtp_from)
        reminders = Reminders(
            remind_at, _reminder_log(reminder_log), _site_url(root, site_url), smtp
        )
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr
    )
    options = Options(
        root,
        users_path.resolve(),
        host,
        port,
        push,
        trusted_proxies,
        pull_every,
        threads,
        reminders,
    )
    serve_team(options)


class _UserGroup(click.Group):
    command_class = PlaybookCommand


@main.group(cls=_UserGroup)
def user() -> None:
    """Manage the team server's users (a file outside the repository).

    \b
    Example:
      playbook user list --users ../users.json
    """


def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)


def _known_teams() -> list[str]:
    from .load import load_playbook

    return list(load_playbook(playbook_root()).teams)


def _users_file(path: Path, missing_ok: bool = False) -> Any:
    from .gitrepo import open_repository
    from .server.users import UsersFile, refuse_inside

    root = playbook_root()
    try:
        top = Path(open_repository(root).working_tree_dir or root)
    except PlaybookError:
        top = root
    refuse_inside(path, top)
    return UsersFile.read(path, missing_ok=missing_ok)


@user.command("add")
@click.argument("user_id", metavar="ID")
@_users_option
@click.option("--name", required=True, help="The name records and commits are signed with.")
@click.option("--email", required=True, help="Their e-mail address (commits, reminders).")
@click.option("--team", "teams", multiple=True, help="A team they record for (repeatable).")
@click.option("--admin", is_flag=True, help="May record for every team.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_add(
    user_id: str,
    users_path: Path,
    name: str,
    email: str,
    teams: tuple[str, ...],
    admin: bool,
    password_stdin: bool,
) -> None:
    """Add a user who signs in with a password.

    \b
    Example:
      playbook user add anna --users ../users.json --name "Anna Nowak" --email anna@example.com --team warsaw
    """
    from .server.users import new_user

    users = _users_file(users_path, missing_ok=True)
    known = _known_teams()
    added = new_user(user_id, name, email, teams, admin, _password(password_stdin), known)
    users.add(added)
    users.write()
    click.echo(
        f"Added {added.id} ({'admin' if admin else ', '.join(teams)}) to {os.path.relpath(users_path)}."
    )


@user.command("list")
@_users_option
def user_list(users_path: Path) -> None:
    """List the users: id, name, e-mail and teams (never a password).

    \b
    Example:
      playbook user list --users ../users.json
    """
    users = _users_file(users_path, missing_ok=True)
    if not users.users:
        click.echo(
            f"No users yet in {os.path.relpath(users_path)}; add one with `playbook user add`."
        )
    for each in sorted(users.users.values(), key=lambda u: u.id):
        teams = "admin" if each.admin else ", ".join(each.teams)
        click.echo(f"{each.id}\t{each.name} <{each.email}>\t{teams}")


@user.command("remove")
@click.argument("user_id", metavar="ID")
@_users_option
def user_remove(user_id: str, users_path: Path) -> None:
    """Remove a user; their sessions end at their next request.

    \b
    Example:
      playbook user remove anna --users ../users.json
    """
    users = _users_file(users_path)
    removed = users.remove(user_id)
    users.write()
    click.echo(f"Removed {removed.id}.")


@user.command("passwd")
@click.argument("user_id", metavar="ID")
@_users_option
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_passwd(user_id: str, users_path: Path, password_stdin: bool) -> None:
    """Set a user's password.

    \b
    Example:
      playbook user passwd anna --users ../users.json --password-stdin < ../password.txt
    """
    from .server.users import check_password

    users = _users_file(users_path)
    users.get(user_id)
    users.set_password(user_id, check_password(_password(password_stdin)))
    users.write()
    click.echo(f"Changed the password of {user_id}.")
