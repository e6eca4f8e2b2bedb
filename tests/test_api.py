"""The recording API's answers to the engine's refusals, without a server (WSGI calls)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from playbook.errors import Location, PlaybookError, Problem
from playbook.site import api

TOKEN = "t" * 43
HOST = "127.0.0.1:8000"


def _call(body: dict[str, Any], path: str = api.RECORDS) -> tuple[str, dict[str, Any]]:
    payload = json.dumps(body).encode()
    environ = {
        "PATH_INFO": path,
        "REQUEST_METHOD": "POST",
        "HTTP_HOST": HOST,
        "HTTP_ORIGIN": f"http://{HOST}",
        api.TOKEN_HEADER: TOKEN,
        "CONTENT_LENGTH": str(len(payload)),
        "wsgi.input": io.BytesIO(payload),
    }
    answered: list[str] = []
    app = api.RecordAPI(lambda e, s: [], Path("."), TOKEN, 8000)
    chunks = app(environ, lambda status, headers: answered.append(status))
    return answered[0], json.loads(b"".join(chunks))


def _refuse_with(monkeypatch: pytest.MonkeyPatch, key_path: str) -> list[Any]:
    """Make the engine refuse with one problem about `key_path`; return the requests it got."""
    seen: list[Any] = []

    def refuse(root: Path, request: Any, **options: Any) -> None:
        seen.append(request)
        raise PlaybookError(
            Problem(Location("--occurrence"), "already recorded", "amend", key_path)
        )

    monkeypatch.setattr(api, "record_completion", refuse)
    return seen


def test_a_refusal_to_replace_a_record_is_409_with_its_problems(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _refuse_with(monkeypatch, "amend")
    status, answer = _call({"checklist": "weekly", "team": "warsaw"})
    assert status == "409 Conflict"
    assert answer["problems"][0] == {
        "field": "amend",
        "where": "--occurrence",
        "message": "already recorded",
        "hint": "amend",
    }


def test_any_other_refusal_is_422(monkeypatch: pytest.MonkeyPatch) -> None:
    _refuse_with(monkeypatch, "items.next-steps")
    status, answer = _call({"checklist": "weekly", "team": "warsaw"})
    assert status == "422 Unprocessable Content"
    assert answer["problems"][0]["field"] == "items.next-steps"


def test_amend_reaches_the_engine_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _refuse_with(monkeypatch, "amend")
    _call({"checklist": "weekly", "amend": True})
    _call({"checklist": "weekly"})
    assert [request.amend for request in seen] == [True, False]


def test_amend_that_is_not_a_boolean_is_400(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _refuse_with(monkeypatch, "amend")
    status, answer = _call({"checklist": "weekly", "amend": "yes"})
    assert status == "400 Bad Request"
    assert answer["problems"][0]["message"] == "amend must be true or false"
    assert seen == []
