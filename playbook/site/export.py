"""`playbook export DIR`: the site as plain files that any engine reading mkdocs.yml builds.

DIR gets the hand-written docs with their markers replaced, every generated page,
feed and asset (the same `files.generated_files` the plugin adds in memory) and a
mkdocs.yml without the playbook plugin. The export is assembled in a sibling folder
and swapped in last, so a failed export leaves the previous one as it was; a folder
that is not an earlier export is never written into, and what others added to an
earlier export (its built site, a .git) is kept.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import PlaybookError
from ..load import CHECKLISTS_DIR, ROLES_DIR
from ..records import LOGS_DIR
from ..translations import is_translation
from .files import (
    EXTRA_CSS,
    EXTRA_JAVASCRIPT,
    MERMAID_URI,
    Content,
    clash,
    expand_markers,
    generated_files,
    load_site,
    site_nav,
)
from .form import RepoLink, current_branch
from .siteconfig import dump_config, read_config

CONFIG_FILE = "mkdocs.yml"
DOCS = "docs"
SITE = "site"
MARKDOWN = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")  # what MkDocs reads as pages
PLUGIN = "playbook"
# Marks a folder as written by `playbook export`: only such a folder is ever replaced.
MARK_FILE = ".playbook-export"
MARK_TEXT = (
    "Written by `playbook export`. The next export replaces mkdocs.yml and docs/:\n"
    "edit the playbook, not these files.\n"
)
NAV_LIMIT = 40  # the plugin's default (PlaybookConfig.nav_limit)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Exported:
    directory: Path
    pages: int  # Markdown pages, hand-written and generated
    files: int  # every file written
    replaced: bool  # an earlier export was replaced
    warnings: list[str]


@dataclass(frozen=True)
class _Options:
    """The playbook plugin's settings in mkdocs.yml, which the export applies itself."""

    nav_limit: int = NAV_LIMIT
    offline_diagrams: bool = True


def export_site(root: Path, directory: Path, progress: Progress | None = None) -> Exported:
    """Write the playbook at `root` as a plain MkDocs project into `directory`."""
    report = progress or (lambda _: None)
    config_file = root / CONFIG_FILE
    if not config_file.is_file():
        raise PlaybookError.at(
            config_file, "no mkdocs.yml here", "an export starts from the playbook's mkdocs.yml"
        )
    config = read_config(config_file)
    docs_dir = (root / str(config.get("docs_dir", DOCS))).resolve()
    site_dir = (root / str(config.get("site_dir", SITE))).resolve()
    target = _checked_target(directory, root, docs_dir, site_dir)
    options, plugins = _split_plugins(config, config_file)

    report("Loading the playbook and its records")
    site = load_site(root, docs_dir)
    warnings = list(site.warnings)
    report(
        f"Rendering {len(site.playbook.roles)} roles and {len(site.playbook.checklists)} checklists"
    )
    repo = RepoLink.from_config(
        config.get("repo_url"), config.get("edit_uri"), current_branch(root)
    )
    directory_urls = bool(config.get("use_directory_urls", True))
    generated = generated_files(site, repo, options.offline_diagrams, directory_urls)
    # The export is the source language's site; docs/<page>.<lang>.md are not pages of it.
    languages = site.playbook.languages
    handwritten = {
        path: source
        for path, source in _handwritten(docs_dir).items()
        if not is_translation(path, languages)
    }
    clashes = [clash(path).problems[0] for path in generated if path in handwritten]
    if clashes:
        raise PlaybookError(clashes)
    plain = _plain_config(config, plugins, options)
    plain["nav"] = site_nav(site.playbook, config.get("nav"), docs_dir, options.nav_limit)
    carried = _carry_paths(plain, root)

    report(f"Writing {len(generated) + len(handwritten)} files")
    replaced = (target / MARK_FILE).is_file()
    with _replacing(target) as staging:
        docs = staging / DOCS
        for path, source in handwritten.items():
            if path.endswith(MARKDOWN):
                markdown = _read_markdown(source, docs_dir)
                content: Content = expand_markers(site.playbook, markdown, path, warnings.append)
            else:
                content = source
            _write(docs / path, content)
        for path, content in generated.items():
            if isinstance(content, str):
                content = expand_markers(site.playbook, content, path, warnings.append)
            _write(docs / path, content)
        for relative in carried:
            _copy_tree(root / relative, staging / relative)
        (staging / CONFIG_FILE).write_text(dump_config(plain), encoding="utf-8")
        (staging / MARK_FILE).write_text(MARK_TEXT, encoding="utf-8")
        files = sum(1 for path in staging.rglob("*") if path.is_file())
    pages = sum(1 for path in [*handwritten, *generated] if path.endswith(MARKDOWN))
    return Exported(target, pages, files, replaced, warnings)


def _checked_target(directory: Path, root: Path, docs_dir: Path, site_dir: Path) -> Path:
    """The folder to export into, refused wherever writing it could cost the user a file."""
    target = directory.resolve()
    where = {
        root: "is the playbook itself",
        docs_dir: "is inside the docs folder, which MkDocs builds into the site",
        site_dir: "is inside the site folder, which every build empties",
        root / ROLES_DIR: f"is inside {ROLES_DIR}/, which holds the playbook's own files",
        root / CHECKLISTS_DIR: f"is inside {CHECKLISTS_DIR}/, which holds the playbook's own files",
        root / LOGS_DIR: f"is inside {LOGS_DIR}/, where every file is read as a record",
    }
    for folder, why in where.items():
        if target == folder or (folder != root and target.is_relative_to(folder)):
            raise PlaybookError.at(directory, f"cannot export here: it {why}", _HINT)
    if root.is_relative_to(target):
        raise PlaybookError.at(directory, "cannot export here: it holds the playbook", _HINT)
    if target.exists() and not target.is_dir():
        raise PlaybookError.at(directory, "exists and is not a folder", _HINT)
    if target.is_dir() and not (target / MARK_FILE).is_file() and any(target.iterdir()):
        raise PlaybookError.at(
            directory,
            f"the folder is not empty and holds no {MARK_FILE}, so it is not an earlier export",
            _HINT,
        )
    return target


_HINT = "export into a new or empty folder, or into one an earlier `playbook export` wrote"


def _split_plugins(config: dict[str, Any], config_file: Path) -> tuple[_Options, Any]:
    """The playbook plugin's options, and the plugins list without it (in its own form)."""
    declared = config.get("plugins")
    if declared is None:
        return _Options(), None
    entries = list(declared.items()) if isinstance(declared, dict) else declared
    settings: Any = {}
    kept: list[Any] = []
    for entry in entries:
        name, value = _plugin_entry(entry)
        if name == PLUGIN:
            settings = value or {}
        else:
            kept.append(entry)
    if not isinstance(settings, dict):
        raise PlaybookError.at(
            config_file, "the playbook plugin's settings are not a mapping", "fix plugins"
        )
    options = _Options(
        nav_limit=_option(settings, "nav_limit", int, NAV_LIMIT, config_file),
        offline_diagrams=_option(settings, "offline_diagrams", bool, True, config_file),
    )
    return options, dict(kept) if isinstance(declared, dict) else kept


def _plugin_entry(entry: Any) -> tuple[str, Any]:
    if isinstance(entry, tuple):  # from the mapping form `plugins: {name: settings}`
        return str(entry[0]), entry[1]
    if isinstance(entry, dict) and len(entry) == 1:
        ((name, value),) = entry.items()
        return str(name), value
    return str(entry), None


def _option(settings: dict[str, Any], key: str, kind: type, default: Any, config_file: Path) -> Any:
    value = settings.get(key, default)
    if type(value) is not kind:
        raise PlaybookError.at(
            config_file,
            f"plugins.playbook.{key} must be {'true or false' if kind is bool else 'a number'}",
            f"write e.g. {key}: {default if kind is not bool else 'true'}",
        )
    return value


def _plain_config(config: dict[str, Any], plugins: Any, options: _Options) -> dict[str, Any]:
    """The user's mkdocs.yml for an engine without our plugin: the plugin's work done statically.

    Mermaid, which the plugin adds only to pages with a diagram, is loaded on every
    page: Material (and Zensical) use it when present instead of fetching it.
    """
    plain = dict(config)
    # The user's site_dir is relative to the playbook; the export's site stays inside it.
    plain["docs_dir"], plain["site_dir"] = DOCS, SITE
    if plugins is not None:
        plain["plugins"] = plugins
    scripts = [*EXTRA_JAVASCRIPT, *([MERMAID_URI] if options.offline_diagrams else [])]
    plain["extra_javascript"] = [*config.get("extra_javascript", []), *scripts]
    plain["extra_css"] = [*config.get("extra_css", []), *EXTRA_CSS]
    return plain


def _carry_paths(plain: dict[str, Any], root: Path) -> list[Path]:
    """Folders and files mkdocs.yml names beside itself (theme overrides, hooks), to copy along.

    A path inside the playbook keeps its place in the export; one outside it is
    written as an absolute path, so the export still finds it.
    """
    carried: list[Path] = []

    def carry(value: Any) -> Any:
        if not isinstance(value, str) or Path(value).is_absolute():
            return value
        source = (root / value).resolve()
        if not source.is_relative_to(root) or not source.exists():
            return str(source)
        relative = source.relative_to(root)
        carried.append(relative)
        return relative.as_posix()

    theme = plain.get("theme")
    if isinstance(theme, dict) and "custom_dir" in theme:
        plain["theme"] = {**theme, "custom_dir": carry(theme["custom_dir"])}
    if isinstance(plain.get("hooks"), list):
        plain["hooks"] = [carry(hook) for hook in plain["hooks"]]
    return carried


def _handwritten(docs_dir: Path) -> dict[str, Path]:
    """Every file under the docs folder by its path there, following links as MkDocs does."""
    found: dict[str, Path] = {}
    for folder, _, names in os.walk(docs_dir, followlinks=True):
        for name in names:
            path = Path(folder) / name
            found[path.relative_to(docs_dir).as_posix()] = path
    return dict(sorted(found.items()))


def _read_markdown(source: Path, docs_dir: Path) -> str:
    try:
        return source.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PlaybookError.at(
            source,
            f"is not UTF-8 text (byte {exc.start})",
            f"save it as UTF-8; every page in {docs_dir.name}/ is read as UTF-8 Markdown",
        ) from None


def _write(target: Path, content: Content) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, Path):
        shutil.copyfile(content, target)
    elif isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")


def _copy_tree(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


@contextmanager
def _replacing(target: Path) -> Iterator[Path]:
    """A fresh sibling folder to fill; on success it takes `target`'s place, else it goes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.export-{secrets.token_hex(4)}")
    staging.mkdir()
    try:
        yield staging
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, target: Path) -> None:
    """Put `staging` at `target`, keeping what others added beside an earlier export.

    Whatever the earlier export holds that this one does not write (a built site/,
    an engine's cache, a .git the user made to publish it) moves into the new one.
    """
    if not target.exists():
        staging.rename(target)
        return
    old = staging.with_name(staging.name + "-old")
    target.rename(old)
    try:
        staging.rename(target)
    except BaseException:
        old.rename(target)
        raise
    for entry in sorted(old.iterdir()):
        if not (target / entry.name).exists():
            entry.rename(target / entry.name)
    shutil.rmtree(old, ignore_errors=True)
