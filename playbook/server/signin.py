"""Who is asking: a session cookie, HTTP Basic on the API, or a trusted proxy's header.

Sessions live in memory (a restart signs everyone out: the server keeps no
state outside git but the users file and the reminder log). Each session has
its own CSRF token, which every write must carry. Failed sign-ins are counted
per address and per user id and refused for a while once there are too many.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from ipaddress import ip_address, ip_network
from typing import Any

from .users import User, hash_password, verify_password

SESSION_COOKIE = "playbook_session"
LOGIN_COOKIE = "playbook_login"  # the login form's own CSRF token (double submit)
SESSION_IDLE = 12 * 3600.0
FAILURES_ALLOWED = 5
FAILURE_WINDOW = 300.0
PROXY_USER_HEADER = "HTTP_X_FORWARDED_USER"


@dataclass
class Session:
    user_id: str
    csrf: str
    seen: float = field(default_factory=time.monotonic)


class Sessions:
    def __init__(self) -> None:
        self._by_token: dict[str, Session] = {}
        self._lock = threading.Lock()

    def start(self, user_id: str) -> tuple[str, Session]:
        token = secrets.token_urlsafe(32)
        session = Session(user_id, secrets.token_urlsafe(32))
        with self._lock:
            self._by_token[token] = session
        return token, session

    def get(self, token: str) -> Session | None:
        now = time.monotonic()
        with self._lock:
            session = self._by_token.get(token)
            if session is None:
                return None
            if now - session.seen > SESSION_IDLE:
                del self._by_token[token]
                return None
            session.seen = now
            return session

    def end(self, token: str) -> None:
        with self._lock:
            self._by_token.pop(token, None)

    def end_user(self, user_id: str) -> None:
        with self._lock:
            for token in [t for t, s in self._by_token.items() if s.user_id == user_id]:
                del self._by_token[token]


class FailedSignIns:
    """At most FAILURES_ALLOWED failures per address and per user id in FAILURE_WINDOW."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > FAILURE_WINDOW:
            times.popleft()
        return times

    def wait(self, address: str, user_id: str) -> int:
        """Seconds until another try is allowed; 0 when it is allowed now."""
        now = self._clock()
        with self._lock:
            waits = [
                int(FAILURE_WINDOW - (now - times[0])) + 1
                for key in (f"addr:{address}", f"user:{user_id}")
                if len(times := self._recent(key, now)) >= FAILURES_ALLOWED
            ]
        return max(waits, default=0)

    def fail(self, address: str, user_id: str) -> None:
        now = self._clock()
        with self._lock:
            for key in (f"addr:{address}", f"user:{user_id}"):
                self._recent(key, now).append(now)


class Passwords:
    """Checks passwords; a pair that was right once is remembered, so that scripts
    sending Basic credentials with every request do not pay for scrypt each time."""

    def __init__(self) -> None:
        self._pepper = secrets.token_bytes(32)
        self._known: set[bytes] = set()
        self._lock = threading.Lock()
        self._dummy = ""

    def check(self, user: User | None, password: str) -> bool:
        """Whether `password` is `user`'s; an unknown user costs as much as a known one."""
        if user is None:
            if not self._dummy:
                self._dummy = hash_password(secrets.token_urlsafe(16))
            verify_password(self._dummy, password)
            return False
        key = hmac.new(
            self._pepper, f"{user.id}\0{user.password}\0{password}".encode(), hashlib.sha256
        ).digest()
        with self._lock:
            if key in self._known:
                return True
        if not user.checks(password):
            return False
        with self._lock:
            self._known.add(key)
        return True


def cookies(environ: dict[str, Any]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(environ.get("HTTP_COOKIE", ""))
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def basic_credentials(environ: dict[str, Any]) -> tuple[str, str] | None:
    header = environ.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        user_id, sep, password = (
            base64.b64decode(value.strip(), validate=True).decode().partition(":")
        )
    except (ValueError, UnicodeDecodeError):
        return None
    return (user_id, password) if sep else None


class TrustedProxies:
    """The addresses (or networks) whose X-Forwarded-User header names the user."""

    def __init__(self, addresses: tuple[str, ...]) -> None:
        self.networks = [ip_network(a, strict=False) for a in addresses]

    def trusted(self, environ: dict[str, Any]) -> bool:
        """Whether the request comes straight from one of the proxies."""
        try:
            peer = ip_address(environ.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        return any(peer in network for network in self.networks)

    def user_id(self, environ: dict[str, Any]) -> str | None:
        if PROXY_USER_HEADER not in environ or not self.trusted(environ):
            return None
        return environ[PROXY_USER_HEADER].strip() or None

    def client(self, environ: dict[str, Any]) -> str:
        """The client's address: the proxy's last X-Forwarded-For hop when the proxy is trusted."""
        forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded and self.trusted(environ):
            return forwarded.split(",")[-1].strip()
        return environ.get("REMOTE_ADDR", "")

    def https(self, environ: dict[str, Any]) -> bool:
        """Behind HTTPS: the request itself, or a trusted proxy saying it terminated TLS."""
        if environ.get("wsgi.url_scheme") == "https":
            return True
        return self.trusted(environ) and environ.get("HTTP_X_FORWARDED_PROTO", "") == "https"


def cookie_header(name: str, value: str, secure: bool, max_age: int | None = None) -> str:
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Strict"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if secure:
        parts.append("Secure")
    return "; ".join(parts)
