"""Translations of roles, checklists and guide pages: read, checked against their source, applied.

Layout (the source language is the first of `languages:` in playbook.yml):

    translations/<lang>/roles/<id>.yml        only the role's text fields
    translations/<lang>/checklists/<id>.yml   only the checklist's text fields
    docs/<page>.<lang>.md                     a guide page, whole

Items, tasks, levels and metrics are matched by their id; other lists (areas of
responsibility, KPIs, hand-offs, phases, sections) by position, so they must
have as many entries as the source. Every translation says which version of its
source it was made from (`translated_from:`, the source file's git blob id, in
the front matter of a page): when the source changes, the translation is stale
until someone updates it and the id.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from .errors import Location, Problem
from .i18n.catalogues import LANGUAGES
from .schema import CHECKLIST_TRANSLATION, ROLE_TRANSLATION, Schema
from .yamlread import Document, KeyPath, format_key_path, read_document

TRANSLATIONS_DIR = "translations"
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
TRANSLATED_FROM = re.compile(r"^translated_from:\s*['\"]?([0-9a-f]{40})['\"]?\s*$", re.MULTILINE)
KINDS: dict[str, Schema] = {"roles": ROLE_TRANSLATION, "checklists": CHECKLIST_TRANSLATION}


class State(StrEnum):
    TRANSLATED = "translated"
    PARTIAL = "partial"  # translated, but some of the source's text is not
    STALE = "stale"  # made from an older version of the source
    MISSING = "missing"  # no translation: the source text is shown


def blob_id(content: bytes) -> str:
    """The id git gives a file of this content (`git hash-object`), with or without git."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


@dataclass(frozen=True)
class Status:
    """One source file in one language."""

    language: str
    source: str  # roles/sdr.yml, docs/index.md
    path: str  # where its translation is (or would be)
    state: State
    source_blob: str
    untranslated: tuple[str, ...] = ()  # key paths of source text the translation lacks
    page: str = ""  # a guide page's path in the docs folder, e.g. index.md


@dataclass
class Translations:
    """Every translation of a playbook: its status per language, and the data to apply."""

    statuses: list[Status] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # language → "roles/sdr" → the source's data with the translated text in it
    merged: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    pages: dict[str, dict[str, Path]] = field(default_factory=dict)  # language → page → file

    def status(self, language: str, source: str) -> Status | None:
        for status in self.statuses:
            if status.language == language and status.source == source:
                return status
        return None


def page_translation(page: str, language: str) -> str:
    """`index.md` → `index.pl.md`."""
    return re.sub(r"\.md$", f".{language}.md", page)


def is_translation(page: str, languages: tuple[str, ...]) -> bool:
    """Whether `page` is a translation (`index.pl.md`) rather than a page of its own: named
    for any language the site speaks other than the source, declared or not yet."""
    return any(page.endswith(f".{code}.md") for code in LANGUAGES if code != languages[0])


def load_translations(
    root: Path,
    docs_dir: Path,
    languages: tuple[str, ...],
    sources: dict[str, Document],
    display: Any,
) -> Translations:
    """Read and check every translation of the `sources` ("roles/sdr" → its document)."""
    found = Translations()
    for language in languages[1:]:
        found.merged[language] = {}
        folder = root / TRANSLATIONS_DIR / language
        for kind in KINDS:
            for path in sorted((folder / kind).glob("*.yml")) if (folder / kind).is_dir() else []:
                key = f"{kind}/{path.stem}"
                if key not in sources:
                    known = ", ".join(
                        sorted(k.split("/")[1] for k in sources if k.startswith(kind))
                    )
                    found.problems.append(
                        Problem(
                            Location(display(path), 1, 1),
                            f"there is no {kind}/{path.stem}.yml to translate",
                            f"name the file after a source file; {kind}: {known or 'none'}",
                        )
                    )
        for key, source in sorted(sources.items()):
            kind, _, name = key.partition("/")
            path = folder / kind / f"{name}.yml"
            _one_file(found, language, key, source, path, display(path), root)
        found.pages[language] = {}
        for page in _pages(docs_dir, languages):
            _one_page(found, language, page, docs_dir, display)
    return found


def _pages(docs_dir: Path, languages: tuple[str, ...]) -> list[str]:
    if not docs_dir.is_dir():
        return []
    pages = (p.relative_to(docs_dir).as_posix() for p in docs_dir.rglob("*.md"))
    return sorted(page for page in pages if not is_translation(page, languages))


def _source_blob(root: Path, source: Document) -> str:
    return blob_id((root / source.path).read_bytes())


def _one_file(
    found: Translations,
    language: str,
    key: str,
    source: Document,
    path: Path,
    shown: str,
    root: Path,
) -> None:
    current = _source_blob(root, source)
    if not path.is_file():
        found.statuses.append(Status(language, source.path, shown, State.MISSING, current))
        return
    kind = key.split("/")[0]
    document, problems = read_document(path, shown, KINDS[kind])
    found.problems += problems
    if document is None or problems:
        return
    merger = _Merger(document)
    merged = merger.merge(source.data, document.data, KINDS[kind], ())
    found.problems += merger.problems
    if merger.problems:
        return
    found.merged[language][key] = merged
    state = State.PARTIAL if merger.untranslated else State.TRANSLATED
    made_from = document.data["translated_from"]
    if made_from != current:
        state = State.STALE
        found.warnings.append(
            _stale(document.at("translated_from"), source.path, made_from, current)
        )
    found.statuses.append(
        Status(language, source.path, shown, state, current, tuple(merger.untranslated))
    )


def _stale(where: Location, source: str, made_from: str, current: str) -> Problem:
    return Problem(
        where,
        f"this translation was made from an older {source}: the source changed since",
        f"see what changed with `git diff {made_from[:12]} {current[:12]}`, update the "
        f"translation, then set translated_from: {current}",
        "translated_from",
    )


def _one_page(found: Translations, language: str, page: str, docs_dir: Path, display: Any) -> None:
    source_path = docs_dir / page
    current = blob_id(source_path.read_bytes())
    path = docs_dir / page_translation(page, language)
    shown = display(path)
    source_shown = display(source_path)
    if not path.is_file():
        found.statuses.append(
            Status(language, source_shown, shown, State.MISSING, current, page=page)
        )
        return
    text = path.read_text(encoding="utf-8")
    front = FRONT_MATTER.match(text)
    made = TRANSLATED_FROM.search(front[1]) if front else None
    if made is None:
        found.problems.append(
            Problem(
                Location(shown, 1, 1),
                "the page does not say which version of its source it translates",
                f"start it with front matter naming {source_shown}'s blob id:\n"
                f"    ---\n    translated_from: {current}\n    ---",
                "translated_from",
            )
        )
        return
    found.pages[language][page] = path
    state = State.TRANSLATED
    if made[1] != current:
        state = State.STALE
        line = text[: front.start(1) + made.start()].count("\n") + 1 if front else 1
        found.warnings.append(_stale(Location(shown, line, 1), source_shown, made[1], current))
    found.statuses.append(Status(language, source_shown, shown, state, current, page=page))


class _Merger:
    """The source's data with the translation's text put in, each mismatch located."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.problems: list[Problem] = []
        self.untranslated: list[str] = []

    def problem(self, key_path: KeyPath, message: str, hint: str) -> None:
        self.problems.append(
            Problem(self.document.at(*key_path), message, hint, format_key_path(key_path))
        )

    def merge(self, source: Any, translated: Any, schema: Schema, key_path: KeyPath) -> Any:
        kind = schema.get("type")
        if kind == "object":
            return self.object(source, translated, schema, key_path)
        if kind == "array":
            return self.array(source, translated, schema, key_path)
        return translated

    def object(
        self, source: dict[str, Any], translated: dict[str, Any], schema: Schema, where: KeyPath
    ) -> dict[str, Any]:
        merged = dict(source)
        for key, child in schema["properties"].items():
            if key in ("id", "translated_from"):
                continue
            if key not in source:
                if key in translated:
                    self.problem(
                        (*where, key),
                        f"{key} is not in the source, so there is nothing to translate",
                        f"remove {key} here, or add it to the source file first",
                    )
                continue
            if key in translated:
                merged[key] = self.merge(source[key], translated[key], child, (*where, key))
            else:
                self.untranslated.append(format_key_path((*where, key)))
        return merged

    def array(
        self, source: list[Any], translated: list[Any], schema: Schema, where: KeyPath
    ) -> list[Any]:
        items = schema["items"]
        if items.get("type") == "object" and "id" in items["properties"]:
            by_id = {entry["id"]: (i, entry) for i, entry in enumerate(translated)}
            known = [entry["id"] for entry in source]
            for entry_id, (i, _) in by_id.items():
                if entry_id not in known:
                    self.problem(
                        (*where, i, "id"),
                        f"unknown id {entry_id!r}: the source has no such entry",
                        f"ids in the source: {', '.join(known)}",
                    )
            merged = []
            for entry in source:
                if entry["id"] in by_id:
                    i, given = by_id[entry["id"]]
                    merged.append(self.merge(entry, given, items, (*where, i)))
                else:
                    self.untranslated.append(f"{format_key_path(where)}[id={entry['id']}]")
                    merged.append(entry)
            return merged
        if len(translated) != len(source):
            self.problem(
                where,
                f"{len(translated)} entries here, the source has {len(source)}",
                "translate every entry of the source, in the source's order",
            )
            return source
        return [
            self.merge(s, t, items, (*where, i))
            for i, (s, t) in enumerate(zip(source, translated, strict=True))
        ]


def report(languages: tuple[str, ...], translations: Translations | None) -> tuple[str, bool]:
    """Per language, what is missing and what is stale; and whether everything is translated."""
    if translations is None or len(languages) < 2:
        return (
            f"One language ({languages[0]}): nothing to translate. "
            "List more in playbook.yml, e.g. languages: [en, pl, vi].",
            True,
        )
    lines: list[str] = []
    complete = True
    for language in languages[1:]:
        statuses = [s for s in translations.statuses if s.language == language]
        done = sum(s.state == State.TRANSLATED for s in statuses)
        lines.append(f"{language}: {done} of {len(statuses)} files translated")
        for state in (State.MISSING, State.STALE, State.PARTIAL):
            for status in (s for s in statuses if s.state == state):
                complete = False
                if state == State.MISSING:
                    lines.append(f"  missing  {status.source} (write {status.path})")
                elif state == State.STALE:
                    lines.append(
                        f"  stale    {status.path}: {status.source} changed since "
                        f"(now {status.source_blob})"
                    )
                else:
                    lines.append(
                        f"  partial  {status.path}: untranslated {', '.join(status.untranslated)}"
                    )
    return "\n".join(lines), complete
