"""One site per language: what differs between the builds, MkDocs-free.

The source language's site is at the root, every other language's under
`/<lang>/`. Each has Material's interface in its language, a search index
tokenised for it, and a language selector leading to the same page in the others.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from babel import Locale

from ..i18n import _

# Material's search tokenises with lunr; `lang` is a lunr language Material ships.
# Material 9.8 ships no Polish: English lunr with no stemmer, no stop words and no
# trimmer (lunr's trimmer strips letters such as ą and ę from the ends of words),
# and a separator that splits on punctuation too, so "przegląd," is the word "przegląd".
# Each entry also gets its text without diacritics in a field of its own, searched but
# never shown, so that "przeglad" typed on a keyboard without Polish letters finds it.
FOLDED = "folded"
POLISH_SEPARATOR = r"[\s\-,.:;!?()\[\]\"'„”«»/]+"


@dataclass(frozen=True)
class Search:
    lang: list[str] | None = None  # None: what Material's language file says
    pipeline: list[str] | None = None
    separator: str | None = None
    fold: bool = False  # also index each entry's text without diacritics


SEARCH = {
    "vi": Search(lang=["vi"]),
    # Material keeps the stemmer only when the pipeline lists it.
    "hu": Search(lang=["hu"], pipeline=["stemmer", "stopWordFilter", "trimmer"]),
    # Material's zh defaults (a separator that splits on U+200B) and jieba at build time.
    "zh": Search(),
    "pl": Search(lang=["en"], pipeline=[], separator=POLISH_SEPARATOR, fold=True),
}
_UNDECOMPOSED = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O"})
_TAG = re.compile(r"<[^>]+>")


def fold(text: str) -> str:
    """`Przegląd łańcucha` → `Przeglad lancucha`: letters without their diacritics."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def with_folded_text(index: str) -> str:
    """Material's search_index.json with each entry's folded title and text added, where
    folding changes them."""
    data = json.loads(index)
    for doc in data["docs"]:
        plain = _TAG.sub(" ", f"{doc.get('title', '')} {doc.get('text', '')}")
        folded = fold(plain)
        if folded != plain:
            doc[FOLDED] = folded
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def site_prefix(language: str, source: str) -> str:
    """Where a language's site is, from the root of the source site: `''` or `pl/`."""
    return "" if language == source else f"{language}/"


def alternate_href(page_url: str, language: str, target: str, source: str) -> str:
    """The same page in language `target`, relative to `page_url` in `language`'s site."""
    up = "../" * page_url.count("/")
    to_source = "" if language == source else "../"
    return up + to_source + site_prefix(target, source) + page_url


@cache
def native_name(code: str) -> str:
    """A language's name in itself, as the selector lists it: `polski`, `Tiếng Việt`."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def name_in(code: str, shown_in: str) -> str:
    """A language's name in another language: `angielski` (English, in Polish)."""
    return Locale.parse(code).get_display_name(shown_in) or code


def missing_notice(source_language: str, language: str) -> str:
    title = _("Not translated yet")
    text = _("This page has no translation yet, so it is shown in {language}.").format(
        language=name_in(source_language, language)
    )
    return f'!!! info "{title}"\n\n    {text}\n\n'


def stale_notice(source_language: str, language: str) -> str:
    title = _("This translation may be out of date")
    text = _(
        "The {language} text of this page changed after it was translated; "
        "parts of it may say something else now."
    ).format(language=name_in(source_language, language))
    return f'!!! warning "{title}"\n\n    {text}\n\n'
