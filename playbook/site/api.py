"""The recording API: what `playbook serve` adds to the live preview and `playbook server` serves.

`answer` is the one rule set both use (reading the body, the engine's verdict,
the 400/409/413/422 problems); the team server adds who is asking around it.

POST /api/records with a JSON body records a checklist through the same
engine as `playbook check`; POST /api/records/preview takes the same body and
answers the engine's verdict (done or partial, the problems, the occurrence it
picks and the record's YAML) without writing or committing anything. Both need
a same-origin request carrying the per-process token embedded in the served
pages; anything else gets 403. A body the engine cannot read is 400, a request
it refuses 422 (409 when the refusal is about replacing an existing record).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import PlaybookError, Problem
from ..recording import CheckRequest, Outcome, Prepared, record_completion

MAX_BODY = 64 * 1024
RECORDS = "/api/records"
PREVIEW = "/api/records/preview"
# Occurrences outside these years are typing mistakes, and date arithmetic near
# year 1 or 9999 overflows: refuse them as a bad request.
YEARS = range(1900, 3000)
TOKEN_HEADER = "HTTP_X_PLAYBOOK_TOKEN"
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def json_reply(
    start_response: Callable[..., Any], status: str, body: dict[str, Any]
) -> list[bytes]:
    payload = json.dumps(body).encode()
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(payload))),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ],
    )
    return [payload]


def _problem_json(problem: Problem) -> dict[str, str]:
    return {
        "field": problem.key_path,
        "where": str(problem.location),
        "message": problem.message,
        "hint": problem.hint,
    }


def _request(body: dict[str, Any]) -> CheckRequest:
    """A CheckRequest from the form's JSON; shapes are checked, meaning is the engine's job."""

    def text(key: str) -> str | None:
        value = body.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise ValueError(f"{key} must be text")
        return value

    def mapping(key: str) -> dict[str, str]:
        value = body.get(key) or {}
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str | int | float) for k, v in value.items()
        ):
            raise ValueError(f"{key} must map ids to values")
        return {k: str(v) for k, v in value.items()}

    def flag(key: str) -> bool:
        value = body.get(key, False)
        if not isinstance(value, bool):
            raise ValueError(f"{key} must be true or false")
        return value

    done = body.get("done") or []
    if not isinstance(done, list) or not all(isinstance(i, str) for i in done):
        raise ValueError("done must be a list of item ids")
    return CheckRequest(
        checklist=text("checklist") or "",
        team=text("team"),
        person=text("person"),
        occurrence=_occurrence(text("occurrence")),
        done=done,
        skipped=mapping("skipped"),
        metrics=mapping("metrics"),
        note=text("note") or "",
        by=text("by"),
        partial=flag("partial"),
        amend=flag("amend"),
    )


class BadField(ValueError):
    """A field of the body that the engine never sees: answered 400 with its name."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name


def _occurrence(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadField("occurrence", f"occurrence {value!r} is not a date (YYYY-MM-DD)") from None
    if day.year not in YEARS or len(value) != 10:
        raise BadField("occurrence", f"occurrence {value!r} is not a date of a review (YYYY-MM-DD)")
    return day


def _bad_request(message: str, field: str = "", hint: str = "") -> Answer:
    problem = {"field": field, "where": field or "request", "message": message, "hint": hint}
    return Answer("400 Bad Request", {"error": message, "problems": [problem]})


def refusal_answer(exc: PlaybookError) -> Answer:
    """The engine's refusal: 409 when it protects an existing record, else 422."""
    conflict = any(p.key_path == "amend" for p in exc.problems)
    status = "409 Conflict" if conflict else "422 Unprocessable Content"
    return Answer(status, {"problems": [_problem_json(p) for p in exc.problems]})


def _preview(prepared: Prepared) -> dict[str, Any]:
    record = prepared.record
    previous = prepared.previous
    return {
        "ok": True,
        "state": "done" if record.complete else "partial",
        "problems": [],
        "occurrence": record.occurrence.isoformat(),
        "due": record.due.isoformat(),
        "picked": prepared.picked,
        "path": record.path,
        "yaml": record.to_yaml(),
        "previous": {
            "state": "done" if previous.complete else "partial",
            "by": previous.by,
            "at": previous.completed_at.isoformat(),
        }
        if previous
        else None,
    }


@dataclass(frozen=True)
class Answer:
    """An HTTP status and its JSON body: what every front end of the API says."""

    status: str
    body: dict[str, Any]
    outcome: Outcome | None = None  # the engine's, when it recorded


Authorize = Callable[[CheckRequest], str]


def answer(
    root: Path,
    environ: dict[str, Any],
    preview: bool,
    by: str | None = None,
    authorize: Authorize | None = None,
) -> Answer:
    """Read a request's body, ask the engine, and say what to answer: the one rule set.

    `by` (the signed-in user) replaces whatever the body says; `authorize` is
    asked about the parsed request and refuses with a reason (403, nothing
    written) or accepts with "".
    """
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if not 0 < length <= MAX_BODY:
        return Answer("413 Content Too Large", {"error": f"the body must be 1 to {MAX_BODY} bytes"})
    try:
        body = json.loads(environ["wsgi.input"].read(length))
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        request = _request(body)
    except BadField as exc:
        hint = "write the occurrence's date as YYYY-MM-DD, e.g. 2026-11-30"
        return _bad_request(str(exc), exc.field_name, hint)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        return _bad_request(str(exc) or "the body is not valid JSON")
    if by is not None:
        request.by = by
    refusal = authorize(request) if authorize else ""
    if refusal:
        return Answer("403 Forbidden", {"error": refusal})
    try:
        outcome = record_completion(root, request, dry_run=preview)
    except PlaybookError as exc:
        if preview:
            # A verdict, not a failure: the form shows what the engine would refuse.
            problems = [_problem_json(p) for p in exc.problems]
            return Answer("200 OK", {"ok": False, "problems": problems})
        return refusal_answer(exc)
    except OverflowError:
        return _bad_request("the occurrence is too far from today")
    if preview:
        return Answer("200 OK", _preview(outcome.prepared))
    record = outcome.prepared.record
    return Answer(
        "201 Created",
        {
            "commit": outcome.commit,
            "path": record.path,
            "occurrence": record.occurrence.isoformat(),
            "state": "done" if record.complete else "partial",
            "picked": outcome.prepared.picked,
            "amended": outcome.prepared.previous is not None,
        },
        outcome,
    )


class RecordAPI:
    """Wraps the live-reload server's WSGI app; everything outside /api/ passes through."""

    def __init__(self, app: WSGIApp, root: Path, token: str, port: int) -> None:
        self.app = app
        self.root = root
        self.token = token
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}

    def allow_host(self, host: str) -> None:
        self.hosts.add(host)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/api/"):
            return self.app(environ, start_response)
        if path not in (RECORDS, PREVIEW):
            return json_reply(start_response, "404 Not Found", {"error": "no such endpoint"})
        if environ.get("REQUEST_METHOD") != "POST":
            return json_reply(start_response, "405 Method Not Allowed", {"error": "POST only"})
        refusal = self.refuse(environ)
        if refusal:
            return json_reply(start_response, "403 Forbidden", {"error": refusal})
        reply = answer(self.root, environ, preview=path == PREVIEW)
        return json_reply(start_response, reply.status, reply.body)

    def refuse(self, environ: dict[str, Any]) -> str:
        """Why a write is refused, or '' when it is same-origin and carries the token."""
        host = environ.get("HTTP_HOST", "")
        if host not in self.hosts:
            return "unknown Host"
        origin = environ.get("HTTP_ORIGIN", "")
        if origin != f"http://{host}":
            return "cross-origin requests may not write"
        if environ.get("HTTP_SEC_FETCH_SITE", "same-origin") not in ("same-origin", "none"):
            return "cross-site requests may not write"
        if not hmac.compare_digest(environ.get(TOKEN_HEADER, ""), self.token):
            return "missing or wrong token: reload the page"
        return ""
