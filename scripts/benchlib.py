"""Helpers shared by the benchmark scripts in this folder.

The scripts run as `python scripts/bench_x.py`, which puts this folder on sys.path, so they
import this module as `benchlib`. It is not part of the playbook package.
"""

from __future__ import annotations

import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import yaml

Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# Hermetic git: no global or system configuration (hooks, signing, fsmonitor, aliases).
GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
    "LC_ALL": "C.UTF-8",
}

# --------------------------------------------------------------------------- output


def say(line: str = "") -> None:
    """Print a line at once, so a long run shows its progress."""
    print(line, flush=True)


def median(values: Sequence[float]) -> float:
    """The median, or NaN when there is nothing to take it of."""
    return statistics.median(values) if values else float("nan")


def spread(values: Sequence[float], unit: Callable[[float], str]) -> str:
    """`(min …, max …, n=…)` with each time written by `unit`; empty without values."""
    if not values:
        return ""
    return f"(min {unit(min(values))}, max {unit(max(values))}, n={len(values)})"


def versions(packages: Sequence[str], extra: Sequence[str] = (), missing: str = "missing") -> str:
    """`Python X.Y.Z, <extra>, <package> <version>, …` for a benchmark's header."""
    found = [f"Python {platform.python_version()}", *extra]
    for name in packages:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} {missing}")
    return ", ".join(found)


def dump(path: Path, data: object) -> None:
    """Write `data` as block-style YAML, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8",
    )


# --------------------------------------------------------------------------- whole processes


def executable(name: str) -> list[str]:
    """The console script next to this interpreter (no pyenv shim in the timing), else PATH."""
    beside = Path(sys.executable).with_name(name)
    if beside.is_file():
        return [str(beside)]
    found = shutil.which(name)
    if found:
        return [found]
    return [sys.executable, "-m", name]


def measure(
    command: Sequence[str], env: Mapping[str, str], cwd: Path | None = None
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run `command` as a whole process with its output captured; return its wall time too."""
    started = time.perf_counter()
    done = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    return time.perf_counter() - started, done


def timed(
    command: Sequence[str],
    cwd: Path,
    what: str,
    env: Mapping[str, str] = GIT_ENV,
    tail: int | None = None,
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """`measure`, but stop the benchmark with the output (its last `tail` characters) on failure."""
    seconds, done = measure(command, env, cwd)
    if done.returncode != 0:
        keep = slice(-tail, None) if tail else slice(None)
        raise SystemExit(
            f"{what} failed (exit {done.returncode}): {' '.join(command)}\n"
            f"stdout:\n{done.stdout[keep]}\nstderr:\n{done.stderr[keep]}"
        )
    return seconds, done


# --------------------------------------------------------------------------- cProfile output

FrameKey = tuple[str, int, str]  # (filename, line, function), as pstats keys its rows
ProfileRows = dict[FrameKey, tuple[int, int, float, float]]  # primitive calls, ncalls, tot, cum

WRAPPERS = ("click/", "<frozen runpy>", "playbook/__main__.py", "cProfile.py", "profile.py")
BOOTSTRAP = {
    "_find_and_load_unlocked",
    "_load_unlocked",
    "exec_module",
    "_call_with_frames_removed",
    "<built-in method builtins.exec>",
}


def profile_rows(path: Path) -> ProfileRows:
    """The rows of a cProfile output file."""
    stats = pstats.Stats(str(path))
    return {key: value[:4] for key, value in stats.stats.items()}  # type: ignore[attr-defined]


def profile_total(rows: ProfileRows) -> float:
    """The profiled seconds: the largest cumulative time."""
    return max((value[3] for value in rows.values()), default=0.0)


def short(filename: str) -> str:
    """A source file's path from its package on (site-packages, the standard library, playbook)."""
    for marker in ("site-packages/", "/lib/python3", "/playbook/"):
        if marker in filename:
            tail = filename.split(marker, 1)[1]
            if marker == "/lib/python3":
                tail = tail.split("/", 1)[1] if "/" in tail else tail
            if marker == "/playbook/":
                tail = "playbook/" + tail
            return tail
    return filename


def label(key: FrameKey) -> str:
    """`file:line(function)`, or the bare name of a built-in."""
    filename, line, name = key
    if filename == "~":
        return name
    return f"{short(filename)}:{line}({name})"


def is_wrapper(key: FrameKey) -> bool:
    """Frames every call passes through (runpy, click, importlib internals): they hide the rest."""
    filename, _, name = key
    return (
        any(marker in filename for marker in WRAPPERS)
        or name in BOOTSTRAP
        or (filename == "<string>" and name == "<module>")
        or name == "wrapper"
    )


def print_top(
    rows: ProfileRows,
    count: int = 15,
    sort: str = "cumtime",
    ncalls_width: int = 8,
    header: bool = True,
) -> None:
    """The top `count` functions by `sort` ("cumtime", wrappers left out, or "tottime")."""
    column = 3 if sort == "cumtime" else 2
    if sort == "cumtime":
        rows = {key: value for key, value in rows.items() if not is_wrapper(key)}
    if header:
        say(f"    {'cumtime':>8} {'tottime':>8} {'ncalls':>{ncalls_width}}  function")
    for key, (_, ncalls, tottime, cumtime) in sorted(
        rows.items(), key=lambda kv: kv[1][column], reverse=True
    )[:count]:
        say(f"    {cumtime:8.3f} {tottime:8.3f} {ncalls:{ncalls_width}d}  {label(key)}")
