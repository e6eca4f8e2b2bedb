"""Building real sites for the tests: the sample playbook of this repository and a scaffold."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from playbook.cli import main

REPO = Path(__file__).resolve().parent.parent


def build(config_file: Path, site_dir: Path) -> Path:
    """Run `playbook build --strict` for real and return the site folder."""
    result = CliRunner().invoke(
        main, ["build", "--strict", "-f", str(config_file), "--site-dir", str(site_dir)]
    )
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    return site_dir


@contextmanager
def serve(site_dir: Path) -> Iterator[str]:
    """Serve a built site on 127.0.0.1 on a free port; yield its base URL."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site_dir))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


CHROMIUM = "/usr/bin/chromium"


@contextmanager
def chromium_page() -> Iterator[Any]:
    """A page in Debian's headless Chromium; skipped without it, except under CI."""
    import os
    import shutil

    import pytest

    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 900})
        finally:
            browser.close()
