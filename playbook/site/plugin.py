"""The MkDocs plugin: loads the playbook and adds its pages to the build in memory.

Registered under the `mkdocs.plugins` entry point as `playbook`, so plain
`mkdocs build` and `mkdocs serve` work as well as `playbook build`.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from ..errors import PlaybookError
from ..i18n import using
from ..load import CHECKLISTS_DIR, ROLES_DIR, SETTINGS_FILE
from ..model import Playbook
from ..records import LOGS_DIR
from ..translations import State, Status, is_translation
from . import templates
from .address import is_loopback
from .api import RecordAPI
from .files import (
    EXTRA_CSS,
    EXTRA_JAVASCRIPT,
    MERMAID_URI,
    SiteState,
    clash,
    expand_markers,
    generated_files,
    load_site,
    site_nav,
)
from .form import RepoLink, current_branch
from .languages import (
    FOLDED,
    SEARCH,
    Search,
    alternate_href,
    missing_notice,
    native_name,
    stale_notice,
    with_folded_text,
)
from .pages import checklist_path, role_path

log = get_plugin_logger(__name__)

ALLOW_REMOTE = "PLAYBOOK_ALLOW_REMOTE"  # set by `playbook serve --allow-remote`
_NOTICES = {State.MISSING: missing_notice, State.STALE: stale_notice}
ALTERNATE = "#playbook-language-"  # replaced by the same page's address in that language
ALTERNATE_LINK = re.compile(r'href="' + re.escape(ALTERNATE) + r'([a-z]+)"')
_TITLE = re.compile(r"\A(---\n.*?\n---\n)?\s*(# [^\n]*\n)?", re.DOTALL)


def _page_of(status: Status, playbook: Playbook) -> str:
    """The page a source file becomes: roles/sdr.yml → roles/sdr.md; a guide page stays itself."""
    source = status.source
    if status.page:
        return status.page
    if source.startswith(f"{ROLES_DIR}/"):
        return role_path(Path(source).stem)
    if source.startswith(f"{CHECKLISTS_DIR}/"):
        checklist = playbook.checklists.get(Path(source).stem)
        return checklist_path(checklist) if checklist else source
    return source


def _after_title(markdown: str, block: str) -> str:
    """`block` placed under the page's first heading (after its front matter)."""
    head = _TITLE.match(markdown)
    end = head.end() if head else 0
    return markdown[:end] + "\n" + block + markdown[end:]


class PlaybookConfig(base.Config):
    root = c.Optional(c.Dir(exists=True))
    """Folder holding playbook.yml, roles/ and checklists/; defaults to mkdocs.yml's folder."""
    nav_limit = c.Type(int, default=40)
    """Sections with more pages than this list only their index page in the navigation."""
    offline_diagrams = c.Type(bool, default=True)
    """Ship Mermaid with the site instead of letting Material fetch it from a CDN."""
    language = c.Optional(c.Type(str))
    """The language of this build; `playbook build` builds each of playbook.yml's languages."""


class PlaybookPlugin(BasePlugin[PlaybookConfig]):
    supports_multiple_instances = False

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """A token for the recording API exists only while serving, one per process."""
        self.token = secrets.token_urlsafe(32) if command == "serve" else ""

    def __init__(self) -> None:
        self.token = ""
        self.site: SiteState | None = None
        # Not "on_progress": MkDocs would take any on_* attribute for an event handler.
        self.progress_callback: Callable[[int, int], None] | None = None
        self._rendered = 0
        self._total = 0
        self._fragments: dict[str, list[str]] = {}  # HTML kept away from Markdown, per page

    @event_priority(100)  # before the search plugin reads its language settings
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Load and cross-check the playbook; any problem stops the build with every message."""
        root = Path(self.config.root or Path(config.config_file_path).parent)
        try:
            site = load_site(root, Path(config.docs_dir), self.config.language)
        except PlaybookError as exc:
            raise PluginError("the playbook has problems:\n" + exc.render()) from None
        self.root = root
        for warning in site.warnings:
            log.warning(warning)
        for note in site.notes:  # a stale translation does not fail a --strict build
            log.info(note)
        self.site = site
        if site.language == "zh":
            # jieba announces its dictionary on stderr; Material's search segments with it.
            logging.getLogger("jieba").setLevel(logging.WARNING)
        self._configure_language(config)
        self.repo = RepoLink.from_config(config.repo_url, config.edit_uri, current_branch(root))
        config.extra_javascript.extend(EXTRA_JAVASCRIPT)
        config.extra_css.extend(EXTRA_CSS)
        with using(site.language):
            config.nav = site_nav(
                site.playbook, config.nav, Path(config.docs_dir), self.config.nav_limit
            )
        return config

    def _configure_language(self, config: MkDocsConfig) -> None:
        """Material's interface, the search language and the language selector of this build."""
        assert self.site is not None
        language = self.site.language
        config.theme["language"] = language
        self.fold_index = False
        languages = self.site.playbook.languages
        if len(languages) < 2:
            return
        search = config.plugins.get("material/search") or config.plugins.get("search")
        wanted = SEARCH.get(language, Search())
        if search is not None and language != languages[0]:
            search.config.lang = wanted.lang
            search.config.pipeline = wanted.pipeline
            search.config.separator = wanted.separator
            if wanted.fold:
                search.config.fields = {**search.config.fields, FOLDED: {"boost": 1.0}}
        self.fold_index = bool(search is not None and language != languages[0] and wanted.fold)
        config.extra["alternate"] = [
            {"name": native_name(code), "link": f"{ALTERNATE}{code}", "lang": code}
            for code in languages
        ]

    def _translated_pages(self, files: Files, config: MkDocsConfig) -> Files:
        """Guide pages in this build's language: `page.<lang>.md` in place of `page.md`, and
        no translation file of any language as a page of its own."""
        assert self.site is not None
        playbook, language = self.site.playbook, self.site.language
        languages = playbook.languages
        self.notices = {}
        found = playbook.translations
        translated = found.pages.get(language, {}) if found else {}
        kept = Files([])
        for file in files:
            if file.is_documentation_page() and is_translation(file.src_uri, languages):
                continue
            if file.src_uri in translated:
                text = translated[file.src_uri].read_text(encoding="utf-8")
                file = File.generated(config, file.src_uri, content=text)
            kept.append(file)
        if found and language != languages[0]:
            with using(language):
                for status in found.statuses:
                    if status.language == language and status.state in _NOTICES:
                        self.notices[_page_of(status, playbook)] = _NOTICES[status.state](
                            languages[0], language
                        )
        return kept

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Add every generated file; a hand-written file of the same path is an error."""
        assert self.site is not None
        files = self._translated_pages(files, config)
        for path, content in generated_files(
            self.site, self.repo, self.config.offline_diagrams, config.use_directory_urls
        ).items():
            if files.get_file_from_path(path):
                raise PluginError(clash(path).render())
            if isinstance(content, Path):
                files.append(File.generated(config, path, abs_src_path=str(content)))
            else:
                files.append(File.generated(config, path, content=content))
        self._total = sum(1 for f in files if f.is_documentation_page())
        self._rendered = 0
        self._fragments = {}
        return files

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """Replace `<!-- playbook:org-chart -->` style markers with generated blocks.

        The HTML fragments of generated pages (history, dates, the form) leave
        the Markdown here and return in `on_post_page`: Python-Markdown has
        nothing to convert in them, and the search plugin (which indexes the
        content before that) never sees them. A page in another language says when
        it is untranslated or its translation is stale.
        """
        assert self.site is not None
        notice = self.notices.get(page.file.src_uri)
        if notice:
            markdown = _after_title(markdown, notice)
        markdown, fragments = templates.lift(markdown)
        if fragments:
            self._fragments[page.file.src_uri] = fragments
        return expand_markers(self.site.playbook, markdown, page.file.src_uri, log.warning)

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        self._rendered += 1
        if self.progress_callback:
            self.progress_callback(self._rendered, self._total)
        return html

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Put the page's HTML fragments back; load the bundled Mermaid on pages with diagrams.

        Material uses Mermaid if it is there. Without it Material fetches Mermaid
        from a CDN, which an intranet or an offline laptop cannot reach, and the
        diagrams stay as text.
        """
        fragments = self._fragments.pop(page.file.src_uri, None)
        if fragments:
            output = templates.restore(output, fragments)
        if ALTERNATE in output:
            assert self.site is not None
            source, language = self.site.playbook.languages[0], self.site.language
            output = ALTERNATE_LINK.sub(
                lambda m: f'href="{alternate_href(page.url, language, m[1], source)}"', output
            )
        head = ""
        if self.token:
            head += f'<meta name="playbook-api" content="{self.token}">'
        if self.config.offline_diagrams and 'class="mermaid"' in output:
            head += f'<script src="{get_relative_url(MERMAID_URI, page.url)}"></script>'
        return output.replace("</head>", head + "</head>", 1) if head else output

    @event_priority(-100)  # after the search plugin has written its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.fold_index:
            return
        index = Path(config.site_dir) / "search" / "search_index.json"
        if index.is_file():
            index.write_text(with_folded_text(index.read_text(encoding="utf-8")), encoding="utf-8")

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any) -> None:
        """Rebuild when a YAML file of the playbook or a record changes."""
        # Watch logs/ even before the first record, so that one triggers a rebuild too.
        (self.root / LOGS_DIR).mkdir(exist_ok=True)
        for name in (ROLES_DIR, CHECKLISTS_DIR, SETTINGS_FILE, LOGS_DIR):
            if (self.root / name).exists():
                server.watch(str(self.root / name))
        host, port = server.server_address[:2]
        loopback = is_loopback(str(host))
        if not loopback and not os.environ.get(ALLOW_REMOTE):
            log.warning(
                f"recording is off: the server listens on {host}, beyond this machine; "
                "use `playbook serve --allow-remote` to record from other machines"
            )
            return
        api = RecordAPI(server.get_app(), self.root, self.token, port)
        if not loopback:
            api.allow_host(f"{host}:{port}")
        server.set_app(api)
