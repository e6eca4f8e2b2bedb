"""Golden files for the page renderers: the scaffold playbook rendered at a fixed moment.

After an intended change to a renderer, regenerate with
`UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py` and review the diff.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from playbook.load import load_playbook
from playbook.scaffold import init_playbook
from playbook.site.pages import render_site

GOLDEN = Path(__file__).parent / "golden"
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=ZoneInfo("Europe/Warsaw"))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("golden") / "playbook"
    init_playbook(root, git=False)
    return render_site(load_playbook(root), NOW)


def test_the_renderers_produce_the_same_pages_as_before(rendered: dict[str, str]) -> None:
    if os.environ.get("UPDATE_GOLDEN"):
        for path, content in rendered.items():
            (GOLDEN / path).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / path).write_text(content)
    expected = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*.md")}
    assert set(rendered) == expected
    for path, content in rendered.items():
        assert content == (GOLDEN / path).read_text(), f"{path} differs from its golden file"
