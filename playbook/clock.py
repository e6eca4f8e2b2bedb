"""What playbook takes as now.

`PLAYBOOK_NOW` (an ISO date-time with its zone) pins it, for demos, for
replaying a team's history and for tests that live months through the CLI.
"""

from __future__ import annotations

import os
from datetime import datetime, tzinfo

from .errors import PlaybookError

ENV = "PLAYBOOK_NOW"


def now(timezone: tzinfo) -> datetime:
    """The current moment in `timezone`, or the one PLAYBOOK_NOW names."""
    pinned = os.environ.get(ENV)
    if not pinned:
        return datetime.now(timezone)
    try:
        moment = datetime.fromisoformat(pinned)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise PlaybookError.at(
            ENV,
            f"{ENV}={pinned!r} is not a date-time with a zone",
            "write it like 2026-12-01T09:00+01:00, or unset it to use the clock",
        )
    return moment.astimezone(timezone)
