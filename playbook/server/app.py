"""The team server's WSGI app: sign-in and authorisation at the edge, the record engine inside.

Recording goes through `site.api.answer`, the same rules as `playbook serve`
and `playbook check`; the server only decides who is asking, whether they may
record for that team, and who signs the record (never the request body).
"""

from __future__ import annotations

import hmac
import logging
import mimetypes
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from .. import clock
from ..errors import PlaybookError
from ..load import load_playbook
from ..recording import CheckRequest, find_checklist, find_unit
from ..records import load_records
from ..site.api import PREVIEW, RECORDS, TOKEN_HEADER, Answer, answer, json_reply
from ..status import RECENT, collect
from . import views
from .rebuild import SiteBuilder
from .signin import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    FailedSignIns,
    Passwords,
    Sessions,
    TrustedProxies,
    basic_credentials,
    cookie_header,
    cookies,
)
from .sync import Remote
from .users import User, UsersFile

log = logging.getLogger("playbook.server")
access_log = logging.getLogger("playbook.server.access")

StartResponse = Callable[..., Any]
HOME = "/my/"


@dataclass(frozen=True)
class Caller:
    user: User
    csrf: str
    via: str  # "session", "basic" or "proxy"
    token: str = ""  # the session cookie's value


class Users:
    """The users file, read again when it changes (so `playbook user add` needs no restart)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = UsersFile.read(path)
        self._stamp = self._stat()
        self._lock = threading.Lock()

    def _stat(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def get(self, user_id: str) -> User | None:
        with self._lock:
            stamp = self._stat()
            if stamp != self._stamp:
                try:
                    self._file = UsersFile.read(self.path)
                except PlaybookError as exc:
                    log.error(f"the users file did not load; keeping the last one:\n{exc}")
                self._stamp = stamp
            return self._file.users.get(user_id)


class TeamServer:
    def __init__(
        self,
        root: Path,
        users: Users,
        site: SiteBuilder,
        remote: Remote | None = None,
        trusted_proxies: tuple[str, ...] = (),
    ) -> None:
        self.root = root
        self.users = users
        self.site = site
        self.remote = remote
        self.proxies = TrustedProxies(trusted_proxies)
        self.sessions = Sessions()
        self.failures = FailedSignIns()
        self.passwords = Passwords()
        self._proxy_secret = secrets.token_bytes(32)
        self.title = load_playbook(root).title
        self.recording = 0  # recordings in flight, which a graceful stop waits for
        self.draining = False
        self._recording_lock = threading.Condition()

    # ---- the edge -------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        status_seen: list[str] = []

        def recording_start(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            status_seen.append(status)
            headers.append(("X-Frame-Options", "DENY"))
            headers.append(("Referrer-Policy", "same-origin"))
            return start_response(status, headers, *exc)

        try:
            body = self.route(environ, recording_start)
        except PlaybookError as exc:
            # The playbook itself is broken (say, by an edit just pulled): say so, no traceback.
            log.error(f"{environ.get('PATH_INFO', '')}: {exc}")
            problems = [{"where": str(p.location), "message": p.message} for p in exc.problems]
            body = json_reply(recording_start, "500 Internal Server Error", {"problems": problems})
        finally:
            caller = environ.get("playbook.user", "-")
            access_log.info(
                '%s %s "%s %s" %s %.0fms',
                self._address(environ) or "-",
                caller,
                environ.get("REQUEST_METHOD", ""),
                environ.get("PATH_INFO", ""),
                status_seen[0].split()[0] if status_seen else "-",
                (time.perf_counter() - started) * 1000,
            )
        return body

    def route(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz":
            return json_reply(start_response, "200 OK", self.health())
        if path == "/login":
            return self.login(environ, start_response)
        if path == "/logout" and method == "POST":
            return self.logout(environ, start_response)
        if path.startswith("/api/"):
            return self.api(environ, start_response, path, method)
        caller = self.page_caller(environ)
        if caller is None and environ.get("HTTP_SEC_FETCH_SITE") == "cross-site":
            # A link from elsewhere (a reminder read in webmail) carries no SameSite=Strict
            # cookie; the same address opened from here again does, if there is a session.
            again = quote(path) + (
                "?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else ""
            )
            return self.html(start_response, "200 OK", views.reopen(again))
        if caller is None:
            query = "?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else ""
            # A manager opening the site lands on their reviews; a link keeps where it pointed.
            target = quote(HOME if path == "/" else path + query)
            return self.redirect(start_response, f"/login?next={target}")
        environ["playbook.user"] = caller.user.id
        if method not in ("GET", "HEAD"):
            return json_reply(start_response, "405 Method Not Allowed", {"error": "GET only"})
        if path == HOME:
            return self.my_reviews(start_response, caller)
        return self.site_file(start_response, path, caller)

    def health(self) -> dict[str, Any]:
        built = self.site.current
        remote = self.remote
        return {
            "ok": built is not None and not (remote and remote.state.last_error),
            "site": {
                "generation": built.generation if built else 0,
                "built": built.at.isoformat() if built else None,
                "building": self.site.building,
                "error": self.site.last_error,
            },
            "push": {
                "remote": remote.remote if remote else None,
                "pending": remote.state.pending if remote else 0,
                "error": remote.state.last_error if remote else "",
            },
            "recording": self.recording,
        }

    def redirect(self, start_response: StartResponse, to: str, *cookies_out: str) -> list[bytes]:
        headers = [("Location", to), ("Content-Length", "0"), ("Cache-Control", "no-store")]
        headers += [("Set-Cookie", c) for c in cookies_out]
        start_response("303 See Other", headers)
        return []

    def html(
        self, start_response: StartResponse, status: str, page: str, *extra: tuple[str, str]
    ) -> list[bytes]:
        payload = page.encode()
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(payload))),
            ("Cache-Control", "private, no-cache"),
            *extra,
        ]
        start_response(status, headers)
        return [payload]

    # ---- who is asking -----------------------------------------------------------------

    def page_caller(self, environ: dict[str, Any]) -> Caller | None:
        proxied = self.proxies.user_id(environ)
        if proxied is not None:
            user = self.users.get(proxied)
            if user is None:
                log.warning(f"the proxy named {proxied!r}, who is not in the users file")
                return None
            csrf = hmac.new(self._proxy_secret, user.id.encode(), "sha256").hexdigest()
            return Caller(user, csrf, "proxy")
        token = cookies(environ).get(SESSION_COOKIE, "")
        session = self.sessions.get(token) if token else None
        if session is None:
            return None
        user = self.users.get(session.user_id)
        return Caller(user, session.csrf, "session", token) if user else None

    def _address(self, environ: dict[str, Any]) -> str:
        return self.proxies.client(environ)

    def _secure(self, environ: dict[str, Any]) -> bool:
        return self.proxies.https(environ)

    def login(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        secure = self._secure(environ)
        if environ.get("REQUEST_METHOD") != "POST":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            if self.page_caller(environ) is not None:  # signed in already
                return self.redirect(start_response, _local(query.get("next", [HOME])[0]))
            return self._login_form(
                environ, start_response, secure, _local(query.get("next", [HOME])[0])
            )
        form = _form(environ)
        user_id, password = form.get("user", ""), form.get("password", "")
        next_path = _local(form.get("next", HOME))
        login_token = cookies(environ).get(LOGIN_COOKIE, "")
        if not login_token or not hmac.compare_digest(login_token, form.get("csrf", "")):
            return self._login_form(
                environ,
                start_response,
                secure,
                next_path,
                "403 Forbidden",
                "The sign-in form expired or came from another site: sign in again.",
            )
        address = self._address(environ)
        wait = self.failures.wait(address, user_id)
        if wait:
            return self._login_form(
                environ,
                start_response,
                secure,
                next_path,
                "429 Too Many Requests",
                f"Too many failed sign-ins: try again in {wait} seconds.",
                user_id,
                ("Retry-After", str(wait)),
            )
        user = self.users.get(user_id)
        if not self.passwords.check(user, password) or user is None:
            self.failures.fail(address, user_id)
            log.warning(f"failed sign-in for {user_id!r} from {address}")
            return self._login_form(
                environ,
                start_response,
                secure,
                next_path,
                "401 Unauthorized",
                "Wrong user id or password.",
                user_id,
            )
        token, _ = self.sessions.start(user.id)
        environ["playbook.user"] = user.id
        return self.redirect(
            start_response,
            next_path,
            cookie_header(SESSION_COOKIE, token, secure),
            cookie_header(LOGIN_COOKIE, "", secure, max_age=0),
        )

    def _login_form(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        secure: bool,
        next_path: str,
        status: str = "200 OK",
        message: str = "",
        user_id: str = "",
        *extra: tuple[str, str],
    ) -> list[bytes]:
        # One token per browser until it signs in: a second login page (another tab, a
        # favicon request sent to sign-in) must not invalidate the form of the first.
        csrf = cookies(environ).get(LOGIN_COOKIE, "")
        if len(csrf) < 32:
            csrf = secrets.token_urlsafe(24)
        page = views.login_page(self.title, csrf, next_path, message, user_id)
        cookie = ("Set-Cookie", cookie_header(LOGIN_COOKIE, csrf, secure))
        return self.html(start_response, status, page, cookie, *extra)

    def logout(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        caller = self.page_caller(environ)
        form = _form(environ)
        if caller is None or not hmac.compare_digest(caller.csrf, form.get("csrf", "")):
            return json_reply(
                start_response, "403 Forbidden", {"error": "missing or wrong CSRF token"}
            )
        self.sessions.end(caller.token)
        clear = cookie_header(SESSION_COOKIE, "", self._secure(environ), max_age=0)
        return self.redirect(start_response, "/login", clear)

    # ---- the API -----------------------------------------------------------------------

    def api_caller(self, environ: dict[str, Any]) -> tuple[Caller | None, str, str]:
        """(caller, refusal status, why): Basic credentials, or the browser's session."""
        credentials = basic_credentials(environ)
        if credentials is None:
            caller = self.page_caller(environ)
            if caller is None:
                return None, "401 Unauthorized", "sign in, or send HTTP Basic credentials"
            return caller, "", ""
        user_id, password = credentials
        address = self._address(environ)
        wait = self.failures.wait(address, user_id)
        if wait:
            return None, "429 Too Many Requests", f"too many failed sign-ins: wait {wait} s"
        user = self.users.get(user_id)
        if not self.passwords.check(user, password) or user is None:
            self.failures.fail(address, user_id)
            log.warning(f"failed Basic sign-in for {user_id!r} from {address}")
            return None, "401 Unauthorized", "wrong user id or password"
        return Caller(user, "", "basic"), "", ""

    def api(
        self, environ: dict[str, Any], start_response: StartResponse, path: str, method: str
    ) -> Iterable[bytes]:
        caller, status, why = self.api_caller(environ)
        if caller is None:
            headers = [("WWW-Authenticate", 'Basic realm="playbook", charset="UTF-8"')]
            return _json_with(start_response, status, {"error": why}, headers)
        environ["playbook.user"] = caller.user.id
        if path == "/api/me" and method == "GET":
            user = caller.user
            return json_reply(
                start_response,
                "200 OK",
                {
                    "id": user.id,
                    "name": user.name,
                    "email": user.email,
                    "teams": list(user.teams),
                    "admin": user.admin,
                },
            )
        if path not in (RECORDS, PREVIEW):
            return json_reply(start_response, "404 Not Found", {"error": "no such endpoint"})
        if method != "POST":
            return json_reply(start_response, "405 Method Not Allowed", {"error": "POST only"})
        refusal = self.refuse_write(environ, caller)
        if refusal:
            return json_reply(start_response, "403 Forbidden", {"error": refusal})
        if path == PREVIEW:
            reply = answer(
                self.root, environ, True, caller.user.signature, self.authorizer(caller.user)
            )
            return json_reply(start_response, reply.status, reply.body)
        reply = self.record(environ, caller)
        return json_reply(start_response, reply.status, reply.body)

    def refuse_write(self, environ: dict[str, Any], caller: Caller) -> str:
        """Why a write is refused ('' when it is not): CSRF for browsers, JSON for all."""
        origin = environ.get("HTTP_ORIGIN", "")
        if origin and urlsplit(origin).netloc != environ.get("HTTP_HOST", ""):
            return "cross-origin requests may not write"
        if environ.get("HTTP_SEC_FETCH_SITE", "same-origin") not in ("same-origin", "none"):
            return "cross-site requests may not write"
        content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return "the body must be sent as application/json"
        if caller.via != "basic" and not hmac.compare_digest(
            environ.get(TOKEN_HEADER, ""), caller.csrf
        ):
            return "missing or wrong CSRF token (X-Playbook-Token): reload the page"
        return ""

    def authorizer(self, user: User) -> Callable[[CheckRequest], str]:
        def authorize(request: CheckRequest) -> str:
            if user.admin:
                return ""
            try:
                playbook = load_playbook(self.root)
                checklist = find_checklist(playbook, request.checklist)
                unit = find_unit(playbook, checklist, request.team, request.person)
            except PlaybookError:
                return ""  # the engine names what is wrong (422); it writes nothing either
            team = (
                unit.id
                if unit.kind == "team"
                else playbook.people[unit.id].team
                if unit.kind == "person"
                else None
            )
            if user.may_record_for(team):
                return ""
            if team is None:
                return f"{checklist.id} is recorded for the whole playbook: only an admin may"
            return f"{user.id} records for {', '.join(user.teams)}, not for {team}"

        return authorize

    def record(self, environ: dict[str, Any], caller: Caller) -> Answer:
        with self._recording_lock:
            if self.draining:
                return Answer("503 Service Unavailable", {"error": "the server is stopping"})
            self.recording += 1
        try:
            reply = answer(
                self.root, environ, False, caller.user.signature, self.authorizer(caller.user)
            )
            if reply.outcome is None or reply.outcome.commit is None:
                return reply
            body = dict(reply.body)
            if self.remote is not None:
                state = self.remote.publish()
                refused = state.refused.pop(reply.outcome.commit, None)
                if refused is not None:
                    self.site.request()
                    return Answer(
                        "409 Conflict",
                        {
                            "problems": [
                                {
                                    "field": refused.key_path,
                                    "where": str(refused.location),
                                    "message": refused.message,
                                    "hint": refused.hint,
                                }
                            ]
                        },
                    )
                body["pending"] = state.pending
            self.site.request()
            return Answer(reply.status, body, reply.outcome)
        finally:
            with self._recording_lock:
                self.recording -= 1
                self._recording_lock.notify_all()

    def drain(self, timeout: float) -> bool:
        """Refuse new recordings and wait for those in flight; True when none is left."""
        with self._recording_lock:
            self.draining = True
            return self._recording_lock.wait_for(lambda: self.recording == 0, timeout)

    # ---- the site ----------------------------------------------------------------------

    def _not_built(self, start_response: StartResponse) -> list[bytes]:
        page = "<!doctype html><title>Building</title><p>The site is being built: reload in a moment.</p>"
        return self.html(start_response, "503 Service Unavailable", page, ("Retry-After", "5"))

    def my_reviews(self, start_response: StartResponse, caller: Caller) -> list[bytes]:
        built = self.site.current
        if built is None:
            return self._not_built(start_response)
        playbook = load_playbook(self.root)
        now = clock.now(playbook.timezone)
        index = load_records(self.root).index()
        teams = list(playbook.teams) if caller.user.admin else list(caller.user.teams)
        summaries = [
            s
            for team in (teams or [None])
            for s in collect(playbook, index, now, team=team, recent=RECENT)
        ]
        summaries.sort(key=lambda s: (not s.overdue, not s.open, s.checklist.id, s.unit.id))
        shell = (built.folder / "index.html").read_text(encoding="utf-8")
        body = views.my_reviews(playbook, caller.user, summaries, now)
        page = views.in_site_shell(shell, f"My reviews · {self.title}", body)
        # The shell's links are relative to the home page; /my/ is one folder down.
        page = page.replace("<head>", '<head><base href="/">', 1)
        return self.html(start_response, "200 OK", self.personalise(page, caller))

    def personalise(self, html: str, caller: Caller) -> str:
        try:
            units = views.recordable_units(load_playbook(self.root), caller.user)
        except PlaybookError:  # the last good site stays readable; recording says what is wrong
            units = None if caller.user.admin else caller.user.teams
        return views.personalise(html, caller.user, caller.csrf, units)

    def site_file(self, start_response: StartResponse, path: str, caller: Caller) -> list[bytes]:
        built = self.site.current
        if built is None:
            return self._not_built(start_response)
        folder = built.folder
        target = (folder / path.lstrip("/")).resolve()
        if not target.is_relative_to(folder.resolve()):
            return json_reply(start_response, "404 Not Found", {"error": "not found"})
        if target.is_dir():
            if not path.endswith("/"):
                return self.redirect(start_response, path + "/")
            target = target / "index.html"
        status = "200 OK"
        if not target.is_file():
            status, target = "404 Not Found", folder / "404.html"
            if not target.is_file():
                return json_reply(start_response, status, {"error": "not found"})
        content = target.read_bytes()
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind == "text/html":
            text = self.personalise(content.decode("utf-8"), caller)
            return self.html(start_response, status, text)
        headers = [
            ("Content-Type", kind),
            ("Content-Length", str(len(content))),
            ("Cache-Control", "private, no-cache"),
            ("X-Content-Type-Options", "nosniff"),
        ]
        start_response(status, headers)
        return [content]


def _json_with(
    start_response: StartResponse, status: str, body: dict[str, Any], extra: list[tuple[str, str]]
) -> list[bytes]:
    def with_extra(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
        return start_response(status, headers + extra, *exc)

    return json_reply(with_extra, status, body)


def _form(environ: dict[str, Any]) -> dict[str, str]:
    try:
        length = min(int(environ.get("CONTENT_LENGTH") or 0), 16 * 1024)
    except ValueError:
        length = 0
    raw = environ["wsgi.input"].read(length).decode("utf-8", "replace") if length > 0 else ""
    return {key: values[0] for key, values in parse_qs(raw).items()}


def _local(path: str) -> str:
    """Only a path on this server may be where sign-in sends you (no open redirect)."""
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not path.startswith("/") or path.startswith("//"):
        return HOME
    return path
