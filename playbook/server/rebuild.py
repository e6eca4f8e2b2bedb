"""The site the server serves: built in the background into a new folder, then swapped in.

Requests read `current` once and serve from that folder, so a build in progress
is never seen half-written; the folder before the current one is kept until the
next swap, for requests that were still reading it.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger("playbook.server")
QUIET = 0.5  # seconds without a new request before a build starts
QUIET_MAX = 10.0
BUILD_NICENESS = 10


@dataclass(frozen=True)
class Built:
    folder: Path
    generation: int
    at: datetime
    seconds: float


class SiteBuilder:
    def __init__(self, config_file: Path, folder: Path) -> None:
        self.config_file = config_file
        self.folder = folder
        self.current: Built | None = None
        self.building = False
        self.last_error = ""
        self._wanted = threading.Event()
        self._done = threading.Condition()
        self._generation = 0
        self._stopping = False
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None

    def request(self) -> None:
        """Ask for a build; several asks while one runs make one more build, not several."""
        self._wanted.set()

    def run(self) -> None:
        """The builder thread's loop."""
        while not self._stopping:
            if not self._wanted.wait(timeout=0.5):
                continue
            # A burst of recordings makes one build once it is over (or QUIET_MAX at most).
            first = time.monotonic()
            while self._wanted.is_set() and time.monotonic() - first < QUIET_MAX:
                self._wanted.clear()
                time.sleep(QUIET)
            self._wanted.clear()
            self.build_once()

    def stop(self) -> None:
        """No more builds; a build in progress is ended (its folder never becomes current)."""
        with self._lock:
            self._stopping = True
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def build_once(self) -> Built | None:
        self.building = True
        self._generation += 1
        target = self.folder / f"site-{os.getpid()}-{self._generation}"
        started = time.perf_counter()
        command = [sys.executable, "-m", "playbook", "build", "-f", str(self.config_file)]
        command += ["--site-dir", str(target)]
        with self._lock:
            if self._stopping:
                return None
            self._process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            if hasattr(os, "setpriority"):
                # Background work: recordings and page requests come first for the CPU.
                os.setpriority(os.PRIO_PROCESS, self._process.pid, BUILD_NICENESS)
        try:
            out, err = self._process.communicate()
        finally:
            self.building = False
        if self._process.returncode != 0 or self._stopping:
            shutil.rmtree(target, ignore_errors=True)
            if self._stopping:
                return None
            self.last_error = (err.strip() or out.strip())[-2000:]
            log.error(f"the site did not build; still serving the last one:\n{self.last_error}")
            return None
        built = Built(target, self._generation, datetime.now(UTC), time.perf_counter() - started)
        previous = self.current
        with self._done:
            self.current = built
            self.last_error = ""
            self._done.notify_all()
        log.info(f"site rebuilt in {built.seconds:.1f} s (generation {built.generation})")
        keep = {built.folder, previous.folder if previous else None}
        for old in self.folder.glob("site-*"):
            if old not in keep:
                shutil.rmtree(old, ignore_errors=True)
        return built

    def wait_for(self, generation: int, timeout: float) -> bool:
        with self._done:
            return self._done.wait_for(
                lambda: self.current is not None and self.current.generation >= generation, timeout
            )
