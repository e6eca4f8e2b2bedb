"""`playbook server`: waitress in front, a builder, a puller and a reminder behind.

On SIGTERM (or Ctrl-C) it stops taking connections, refuses new recordings,
lets the ones in flight finish and their answers go out, then exits.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import clock
from ..errors import PlaybookError
from ..gitrepo import RepositoryLock, open_repository
from ..load import load_playbook
from ..records import LOGS_DIR
from .app import TeamServer, Users
from .rebuild import SiteBuilder
from .remind import Smtp, send_reminders
from .sync import Remote
from .users import refuse_inside

log = logging.getLogger("playbook.server")
DRAIN_TIMEOUT = 30.0


@dataclass(frozen=True)
class Reminders:
    at: str  # HH:MM in the playbook's zone
    log_path: Path
    site_url: str
    smtp: Smtp


@dataclass(frozen=True)
class Options:
    root: Path
    users: Path
    host: str = "127.0.0.1"
    port: int = 8080
    push: str | None = None
    trusted_proxies: tuple[str, ...] = ()
    pull_every: float = 60.0
    threads: int = 8
    reminders: Reminders | None = None


def recover(root: Path) -> None:
    """Undo what a killed recording left between its file and its commit.

    A record's file is written (atomically) and staged just before its commit;
    a process killed in between leaves a staged file that no commit holds and
    nobody was told was recorded. Only records may be in that state: anything
    else uncommitted in the server's clone is refused.
    """
    repo = open_repository(root)
    top = Path(repo.working_tree_dir or root)
    with RepositoryLock(repo):
        stale = Path(repo.git_dir) / "index.lock"
        if stale.exists():  # the lock above keeps every other recording out
            log.warning(f"removing {stale} left by a process that was killed")
            stale.unlink()
        changed = subprocess.run(
            ["git", "status", "--porcelain=v1", "-z", "--untracked-files=all"],
            cwd=top,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        paths = [entry[3:] for entry in changed.split("\0") if entry]
        others = [p for p in paths if not p.startswith(f"{LOGS_DIR}/")]
        if others:
            raise PlaybookError.at(
                top / others[0],
                f"the server's clone has changes that are not records ({len(others)} files)",
                "the server needs a clone of its own: commit or discard these, then start again",
            )
        if paths:
            for path in paths:
                log.warning(f"{path}: discarding a recording that never reached its commit")
            subprocess.run(["git", "reset", "--quiet", "--hard", "HEAD"], cwd=top, check=True)
            subprocess.run(["git", "clean", "--quiet", "-f", "--", LOGS_DIR], cwd=top, check=True)


def _every(
    seconds: float,
    stop: threading.Event,
    action: Callable[[], object],
    name: str,
    at_once: bool = False,
) -> threading.Thread:
    def loop() -> None:
        first = at_once
        while first or not stop.wait(seconds):
            first = False
            try:
                action()
            except PlaybookError as exc:
                log.error(f"{name}: {exc}")
            except Exception:  # a background chore must not end the server
                log.exception(f"{name} failed")

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()
    return thread


def _reminder_chore(root: Path, reminders: Reminders) -> Callable[[], None]:
    """Once a day, at the first check after `reminders.at`."""
    last_day: list[object] = [None]

    def chore() -> None:
        now = clock.now(load_playbook(root).timezone)
        if now.strftime("%H:%M") < reminders.at or last_day[0] == now.date():
            return
        last_day[0] = now.date()
        sent = send_reminders(root, reminders.log_path, reminders.site_url, reminders.smtp, now)
        log.info(f"reminders: {len(sent)} digest(s) sent")

    return chore


def serve_team(options: Options) -> None:
    """Run until SIGTERM or Ctrl-C."""
    from waitress.server import create_server

    root = options.root
    repo = open_repository(root)
    top = Path(repo.working_tree_dir or root)
    refuse_inside(options.users, top)
    if options.reminders:
        refuse_inside(options.reminders.log_path, top)
    users = Users(options.users)
    recover(root)
    remote = Remote(root, options.push) if options.push else None
    site = SiteBuilder(root / "mkdocs.yml", Path(repo.git_dir) / "playbook" / "server-site")
    app = TeamServer(root, users, site, remote, options.trusted_proxies)
    # The app itself decides which proxy headers to believe (TrustedProxies), for any
    # number of proxies; waitress's own check knows one address only.
    server = create_server(
        app,
        host=options.host,
        port=options.port,
        threads=options.threads,
        ident="playbook",
        clear_untrusted_proxy_headers=False,
    )
    stop = threading.Event()
    threading.Thread(target=site.run, name="builder", daemon=True).start()
    site.request()
    if remote is not None:
        threading.Thread(target=remote.publish, name="first-push", daemon=True).start()

        def pull() -> None:
            if remote.pull():
                site.request()

        _every(options.pull_every, stop, pull, "pull")
    if options.reminders:
        _every(30.0, stop, _reminder_chore(root, options.reminders), "reminders", at_once=True)
    address = f"http://{server.effective_host}:{server.effective_port}/"
    log.info(f"serving {load_playbook(root).title} on {address} (users from {options.users})")

    def on_signal(number: int, frame: object) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stop.is_set():
            server.asyncore.loop(timeout=0.2, map=server._map, count=1)
        _drain(server, app)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        site.stop()
    log.info(f"stopped at {datetime.now().astimezone():%H:%M:%S}")


def _drain(server: Any, app: TeamServer) -> None:
    """Stop listening, let the recordings in flight finish and their answers be sent."""
    log.info("stopping: finishing the recordings in flight")
    server.del_channel()
    server.socket.close()
    finished = threading.Event()

    def wait() -> None:
        app.drain(DRAIN_TIMEOUT)
        finished.set()

    threading.Thread(target=wait, daemon=True).start()
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while time.monotonic() < deadline:
        server.asyncore.loop(timeout=0.1, map=server._map, count=1)
        channels = [c for c in server._map.values() if c is not server.trigger]
        if finished.is_set() and not any(c.total_outbufs_len or c.requests for c in channels):
            break
    server.task_dispatcher.shutdown(timeout=5)
    sys.stdout.flush()
