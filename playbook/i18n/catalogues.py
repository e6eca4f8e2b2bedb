"""The gettext catalogues: one `.po` per language, compiled by Babel on first use.

Nothing compiled is committed: the `.po` file is the only source, read with
`babel.messages.pofile`, compiled in memory with `babel.messages.mofile` and
kept for the life of the process (a change to a `.po` file is seen on the next
run, or after `translations.cache_clear()`).
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from . import SOURCE, SOURCE_LANGUAGE

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "playbook"
# Languages whose catalogue ships with playbook; the source needs none.
LANGUAGES = ("en", "vi", "hu", "zh", "pl")


def catalogue_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(code: str):  # type: ignore[no-untyped-def]
    """The Babel Catalog of language `code`, as its `.po` file says."""
    from babel.messages.pofile import read_po

    with catalogue_path(code).open("rb") as handle:
        return read_po(handle, locale=code, domain=DOMAIN)


@cache
def translations(code: str) -> gettext.NullTranslations:
    """The compiled catalogue of `code`; the source language translates to itself."""
    if code == SOURCE_LANGUAGE:
        return SOURCE
    if code not in LANGUAGES:
        raise ValueError(f"no catalogue for language {code!r}; known: {', '.join(LANGUAGES)}")
    from babel.messages.mofile import write_mo

    compiled = BytesIO()
    write_mo(compiled, read_catalogue(code), use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def extract_template(root: Path):  # type: ignore[no-untyped-def]
    """Every message the code and templates under `root` mark, as `pybabel extract` finds them
    with `root/babel.cfg`: the template the catalogues must cover."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (root / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    template = Catalog(domain=DOMAIN, project="playbook")
    found = extract_from_dir(str(root), method_map, options_map, strip_comment_tags=True)
    for filename, lineno, message, comments, context in found:
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template
