"""Run MkDocs with our plugin: the only module of the CLI path that imports MkDocs."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import PlaybookError

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BuiltSite:
    site_dir: Path
    pages: int
    languages: tuple[str, ...] = ("en",)


def _load_config(config_file: Path, **overrides: object):  # type: ignore[no-untyped-def]
    # Material 9.7+ prints an end-of-life banner on import; the user did not ask for it.
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError

    if not config_file.is_file():
        raise PlaybookError.at(
            config_file,
            "no mkdocs.yml here",
            "run inside a playbook repository or pass --config-file",
        )
    try:
        return load_config(str(config_file), **overrides)
    except ConfigurationError as exc:
        raise PlaybookError.at(
            config_file, f"mkdocs.yml is not valid: {exc}", "fix mkdocs.yml"
        ) from None


def _log_to_stderr(verbose: bool) -> None:
    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_playbook", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s - %(message)s"))
        handler._playbook = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)


def build_site(
    config_file: Path,
    site_dir: Path | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    verbose: bool = False,
) -> BuiltSite:
    """Build the site, one per language of the playbook: the source language's into the site
    folder, each other one's into `<site folder>/<lang>/`. Raise PlaybookError (with every
    playbook problem) instead of a traceback."""
    built = _build_one(config_file, site_dir, strict, progress, verbose, None)
    root = built.site_dir
    pages = built.pages
    for language in built.languages[1:]:
        other = _build_one(config_file, root / language, strict, progress, verbose, language)
        pages += other.pages
    return BuiltSite(root, pages, built.languages)


def _build_one(
    config_file: Path,
    site_dir: Path | None,
    strict: bool,
    progress: Progress | None,
    verbose: bool,
    language: str | None,
) -> BuiltSite:
    from mkdocs.commands.build import build
    from mkdocs.exceptions import Abort, MkDocsException

    overrides: dict[str, object] = {"strict": strict}
    if site_dir is not None:
        overrides["site_dir"] = str(site_dir)
    config = _load_config(config_file, **overrides)
    _log_to_stderr(verbose)
    plugin = config.plugins.get("playbook")
    if plugin is not None:
        if progress is not None:
            plugin.progress_callback = progress  # type: ignore[attr-defined]
        if language is not None:
            plugin.config.language = language  # type: ignore[attr-defined]
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    except Abort as exc:
        raise PlaybookError.at(
            config_file, f"the build stopped: {exc}", "fix the warnings printed above"
        ) from None
    except MkDocsException as exc:
        raise PlaybookError.at(config_file, str(exc).strip(), "") from None
    finally:
        config.plugins.on_shutdown()
    built = Path(config.site_dir)
    languages = plugin.site.playbook.languages if plugin is not None else ("en",)  # type: ignore[attr-defined]
    subsites = {built / code for code in languages[1:]} if language is None else set()
    pages = sum(
        1
        for page in built.rglob("index.html")
        if not any(page.is_relative_to(folder) for folder in subsites)
    )
    return BuiltSite(built, pages, tuple(languages))


def serve_site(
    config_file: Path, dev_addr: str, strict: bool = False, allow_remote: bool = False
) -> None:
    """Serve with live reload and the recording API; loopback only unless allowed."""
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    from .address import is_loopback, parse_dev_addr
    from .plugin import ALLOW_REMOTE

    host, _ = parse_dev_addr(dev_addr)
    loopback = is_loopback(host)
    if not loopback:
        if not allow_remote:
            raise PlaybookError.at(
                "--dev-addr",
                f"{host} is reachable from other machines, and anyone who reaches it could record",
                "serve on 127.0.0.1, or pass --allow-remote if that is what you want",
            )
        logging.getLogger("mkdocs").warning(
            f"serving on {host}: anyone who can reach this address can record checklists"
        )
        os.environ[ALLOW_REMOTE] = "1"
    _load_config(config_file)  # fail early with our message
    _log_to_stderr(verbose=False)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    try:
        serve(str(config_file), dev_addr=dev_addr, strict=strict)
    except MkDocsException as exc:
        raise PlaybookError.at(config_file, str(exc).strip()) from None
