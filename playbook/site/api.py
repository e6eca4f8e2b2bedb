"""The recording API that `playbook serve` adds to the live preview.

POST /api/records with a JSON body records a checklist through the same
engine as `playbook check`. Only same-origin requests that carry the
per-process token embedded in the served pages may write; anything else gets
403 and writes nothing.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Iterable
from datetime import UTC, date
from pathlib import Path
from typing import Any

from ..dates import ACCEPTED, DateSyntaxError, parse_when
from ..errors import PlaybookError, Problem
from ..recording import CheckRequest, record_completion

MAX_BODY = 64 * 1024
TOKEN_HEADER = "HTTP_X_PLAYBOOK_TOKEN"
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _json(start_response: Callable[..., Any], status: str, body: dict[str, Any]) -> list[bytes]:
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

    done = body.get("done") or []
    if not isinstance(done, list) or not all(isinstance(i, str) for i in done):
        raise ValueError("done must be a list of item ids")
    occurrence = text("occurrence")
    return CheckRequest(
        checklist=text("checklist") or "",
        team=text("team"),
        person=text("person"),
        occurrence=_occurrence(occurrence) if occurrence else None,
        done=done,
        skipped=mapping("skipped"),
        metrics=mapping("metrics"),
        note=text("note") or "",
        by=text("by"),
        partial=bool(body.get("partial")),
    )


class BadField(ValueError):
    """A field of the body that the engine never sees: answered 400 with its name."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name


def _occurrence(text: str) -> date:
    try:
        when = parse_when(text)
    except DateSyntaxError as exc:
        raise BadField("occurrence", str(exc)) from None
    return when.day(UTC)


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
        if path != "/api/records":
            return _json(start_response, "404 Not Found", {"error": "no such endpoint"})
        if environ.get("REQUEST_METHOD") != "POST":
            return _json(start_response, "405 Method Not Allowed", {"error": "POST only"})
        refusal = self.refuse(environ)
        if refusal:
            return _json(start_response, "403 Forbidden", {"error": refusal})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if not 0 < length <= MAX_BODY:
            return _json(
                start_response,
                "413 Content Too Large",
                {"error": f"the body must be 1 to {MAX_BODY} bytes"},
            )
        try:
            body = json.loads(environ["wsgi.input"].read(length))
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
            request = _request(body)
        except BadField as exc:
            problem = {"field": exc.field_name, "where": exc.field_name, "message": str(exc)}
            return _json(
                start_response,
                "400 Bad Request",
                {"error": str(exc), "problems": [problem | {"hint": f"write {ACCEPTED}"}]},
            )
        except (ValueError, UnicodeDecodeError) as exc:
            return _json(start_response, "400 Bad Request", {"error": str(exc)})
        try:
            outcome = record_completion(self.root, request)
        except PlaybookError as exc:
            return _json(
                start_response,
                "422 Unprocessable Content",
                {"problems": [_problem_json(p) for p in exc.problems]},
            )
        record = outcome.prepared.record
        return _json(
            start_response,
            "201 Created",
            {
                "commit": outcome.commit,
                "path": record.path,
                "occurrence": record.occurrence.isoformat(),
                "state": "done" if record.complete else "partial",
                "picked": outcome.prepared.picked,
            },
        )

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
