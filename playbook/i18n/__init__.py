"""Translatable strings of the generated site and the CLI.

`_("History")` marks a message for the gettext catalogues and returns it in the
language in force; until a catalogue is activated that is the English source.
Renderers call `_` at render time (never at import time), so one process can
render one site per language by activating each catalogue in turn
(`with using("pl"): ...`).

The catalogues are `locale/<lang>/LC_MESSAGES/playbook.po`, compiled by Babel
when first used (see catalogues.py); `babel.cfg` at the repository root says
what `pybabel extract` reads.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

SOURCE_LANGUAGE = "en"  # the language the messages are written in
SOURCE = gettext.NullTranslations()
_active: ContextVar[tuple[str, gettext.NullTranslations] | None] = ContextVar(
    "playbook_translations", default=None
)


def _current() -> gettext.NullTranslations:
    active = _active.get()
    return active[1] if active else SOURCE


def _(message: str) -> str:
    return _current().gettext(message)


def N_(message: str) -> str:
    """Mark a message for the catalogues where it is defined; `_` translates it where used."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    return _current().ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """A message whose translation depends on where it stands (a weekday as a subject, in a list)."""
    return _current().pgettext(context, message)


def activate(translations: gettext.NullTranslations, language: str = SOURCE_LANGUAGE) -> None:
    """Render in this language from now on (in this thread or task)."""
    _active.set((language, translations))


def language() -> str:
    """The code of the language in force, e.g. `pl`."""
    active = _active.get()
    return active[0] if active else SOURCE_LANGUAGE


@contextmanager
def using(code: str) -> Iterator[None]:
    """Render in language `code` inside the block, then return to the one before."""
    from .catalogues import translations

    token = _active.set((code, translations(code)))
    try:
        yield
    finally:
        _active.reset(token)
