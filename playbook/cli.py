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


@main.command()
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
@reports_problems
def serve(config_file: Path, dev_addr: str, strict: bool) -> None:
    """Preview the site live; it rebuilds when a YAML or Markdown file changes.

    \b
    Example:
      playbook serve
      playbook serve --dev-addr 127.0.0.1:8080
    """
    from .load import load_playbook
    from .site.build import serve_site

    load_playbook(config_file.parent)
    serve_site(config_file, dev_addr, strict)


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
