"""Translatable strings of the generated site and the CLI.

`_("History")` marks a message for the gettext catalogues and returns it in the
language in force; until a catalogue is activated that is the English source.
Renderers call `_` at render time (never at import time), so one process can
render one site per language by activating each catalogue in turn.
"""

from __future__ import annotations

import gettext
from contextvars import ContextVar

SOURCE = gettext.NullTranslations()  # English, the language the messages are written in
_active: ContextVar[gettext.NullTranslations | None] = ContextVar(
    "playbook_translations", default=None
)


def _current() -> gettext.NullTranslations:
    return _active.get() or SOURCE


def _(message: str) -> str:
    return _current().gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _current().ngettext(singular, plural, count)


def activate(translations: gettext.NullTranslations) -> None:
    """Render in this language from now on (in this thread or task)."""
    _active.set(translations)
