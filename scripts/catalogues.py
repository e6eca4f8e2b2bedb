"""Bring every .po catalogue up to date with the messages the code marks (pybabel update).

    python scripts/catalogues.py          # add new messages, mark vanished ones obsolete
    python scripts/catalogues.py --check  # exit 1 when a catalogue lacks a translation

New messages arrive untranslated; write their msgstr in each .po file (the test
suite fails while one is empty).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.pofile import write_po

from playbook.i18n import SOURCE_LANGUAGE
from playbook.i18n.catalogues import (
    LANGUAGES,
    catalogue_path,
    extract_template,
    read_catalogue,
)

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report what is missing")
    args = parser.parse_args()
    template = extract_template(ROOT)
    missing = 0
    for code in LANGUAGES:
        if code == SOURCE_LANGUAGE:
            continue
        path = catalogue_path(code)
        if path.is_file():
            catalog = read_catalogue(code)
        else:
            from babel.messages.catalog import Catalog

            catalog = Catalog(locale=code, domain="playbook", project="playbook")
        catalog.update(template, no_fuzzy_matching=True)
        untranslated = [m.id for m in catalog if m.id and not m.string]
        missing += len(untranslated)
        print(f"{code}: {len(untranslated)} of {len(template)} messages untranslated")
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                write_po(handle, catalog, width=100, no_location=True, ignore_obsolete=True)
    return 1 if args.check and missing else 0


if __name__ == "__main__":
    sys.exit(main())
