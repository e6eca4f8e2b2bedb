"""`playbook export DIR`: a plain MkDocs project that engines without our plugin build.

The sample is the scaffold of `playbook init` with a team and one recorded review, so
that the export holds history and the dashboard. Plain MkDocs builds it in a process
where the playbook package cannot be imported; Zensical builds it too.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from playbook.cli import main
from playbook.scaffold import init_playbook
from playbook.site.export import MARK_FILE
from playbook.site.siteconfig import Tagged, dump_config, read_config

from .samples import USER_EMAIL, USER_NAME
from .sites import build, chromium_page, serve

NOW = "2026-11-30T12:00+01:00"
CHECKLIST = "weekly-pipeline-review"
TEAMS = """
tracking_since: 2026-11-02
teams:
  - id: warsaw
    name: Warsaw pod
    manager: anna
    members:
      - {id: anna, name: Anna Kowalska, email: anna@example.com, role: sales-manager}
"""
# MkDocs run with the playbook package made unimportable: the export must not need it.
PLAIN_MKDOCS = "import sys; sys.modules['playbook'] = None; from mkdocs.__main__ import cli; cli()"
ZENSICAL = Path(sys.executable).parent / "zensical"


@pytest.fixture(scope="module")
def pinned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A git identity of its own, no machine git config, and now pinned to NOW."""
    home = tmp_path_factory.mktemp("home")
    (home / "gitconfig").write_text(f"[user]\n\tname = {USER_NAME}\n\temail = {USER_EMAIL}\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))
        patch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        patch.setenv("PLAYBOOK_NOW", NOW)
        patch.setenv("NO_MKDOCS_2_WARNING", "1")
        yield


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


@pytest.fixture(scope="module")
def sample(pinned: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scaffold with the Warsaw pod and its review of Monday 30 November recorded."""
    root = tmp_path_factory.mktemp("sample") / "playbook"
    init_playbook(root)
    with (root / "playbook.yml").open("a", encoding="utf-8") as handle:
        handle.write(TEAMS)
    _git(root, "commit", "-qam", "Add the Warsaw pod")
    recorded = run(
        "-C", root, "check", CHECKLIST, "--team", "warsaw", "--occurrence", "2026-11-30",
        "--all", "--metric", "new-leads=42", "--note", "quiet week",
    )  # fmt: skip
    assert recorded.exit_code == 0, recorded.output
    return root


@pytest.fixture
def fresh(sample: Path, tmp_path: Path) -> Path:
    """A copy of the sample for a test that changes it."""
    return Path(shutil.copytree(sample, tmp_path / "playbook", symlinks=True))


@pytest.fixture(scope="module")
def exported(sample: Path) -> Path:
    out = sample.parent / "export"
    result = run("-C", sample, "export", out)
    assert result.exit_code == 0, result.output
    return out


def _build_plain_mkdocs(project: Path, site: Path) -> Path:
    done = subprocess.run(
        [sys.executable, "-c", PLAIN_MKDOCS, "build", "--strict", "--site-dir", str(site)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return site


def _build_zensical(project: Path) -> Path:
    if importlib.util.find_spec("zensical") is None:
        if os.environ.get("CI"):
            pytest.fail("zensical is missing; CI installs the test extra, which pins it")
        pytest.skip("zensical is not installed (pip install -e '.[test]' brings it)")
    done = subprocess.run(
        [str(ZENSICAL), "build", "--strict"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return project / "site"


@pytest.fixture(scope="module")
def mkdocs_site(exported: Path) -> Path:
    return _build_plain_mkdocs(exported, exported.parent / "mkdocs-site")


@pytest.fixture(scope="module", params=["mkdocs", "zensical"])
def engine_site(request: pytest.FixtureRequest, exported: Path) -> Path:
    """The export built by plain MkDocs, then by Zensical (in a copy: it writes beside it)."""
    if request.param == "mkdocs":
        return request.getfixturevalue("mkdocs_site")
    copy = shutil.copytree(exported, exported.parent / "zensical-project")
    return _build_zensical(Path(copy))


@pytest.fixture(scope="module")
def plugin_site(sample: Path) -> Path:
    return build(sample / "mkdocs.yml", sample.parent / "plugin-site")


def _page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(folder).parts
    }


# --------------------------------------------------------------------------- what engines build


def test_the_role_page_is_built_with_its_content(engine_site: Path) -> None:
    page = _page(engine_site, "roles/sdr")
    assert "Sales Development Representative" in page
    assert "Research target accounts and the people who buy" in page


def test_the_checklist_page_is_built_with_its_items_and_history(engine_site: Path) -> None:
    page = _page(engine_site, f"checklists/{CHECKLIST}")
    assert "Every lead has the right status and owner" in page
    assert "Anna Kowalska" in page  # who recorded the review of 30 November
    assert "<td>quiet week</td>" in page  # the history is HTML, not text about HTML
    assert "record.js" in page  # the recording form's script
    spec = json.loads((engine_site / f"assets/playbook/forms/{CHECKLIST}.json").read_text())
    assert [unit["id"] for unit in spec["units"]] == ["warsaw"]  # the form's data


def test_the_dashboard_is_built_with_the_team_and_its_reviews(engine_site: Path) -> None:
    page = _page(engine_site, "dashboard")
    assert "Warsaw pod" in page
    assert "Weekly pipeline review" in page


def test_the_home_page_has_its_diagrams_and_the_bundled_mermaid(engine_site: Path) -> None:
    home = (engine_site / "index.html").read_text(encoding="utf-8")
    assert home.count('class="mermaid"') == 2  # the org chart and the funnel
    assert "playbook:org-chart" not in home
    assert "assets/playbook/mermaid.min.js" in home
    assert (engine_site / "assets" / "playbook" / "mermaid.min.js").is_file()


def test_the_calendar_feeds_are_published(engine_site: Path) -> None:
    for feed in ("calendar.ics", "calendar-warsaw.ics"):
        assert (engine_site / feed).read_text().startswith("BEGIN:VCALENDAR")


def test_plain_mkdocs_builds_the_same_pages_as_the_plugin(
    mkdocs_site: Path, plugin_site: Path
) -> None:
    def pages(site: Path) -> set[str]:
        return {path.relative_to(site).as_posix() for path in site.rglob("*.html")}

    assert pages(mkdocs_site) == pages(plugin_site)


def test_the_search_index_of_the_export_matches_the_plugins(
    mkdocs_site: Path, plugin_site: Path
) -> None:
    def entries(site: Path) -> list[str]:
        index = json.loads((site / "search" / "search_index.json").read_text())
        return sorted(json.dumps(entry, sort_keys=True) for entry in index["docs"])

    assert entries(mkdocs_site) == entries(plugin_site)


# --------------------------------------------------------------------------- what is written


def test_the_exported_config_has_no_playbook_plugin_and_keeps_the_users_settings(
    exported: Path, sample: Path
) -> None:
    plain, own = read_config(exported / "mkdocs.yml"), read_config(sample / "mkdocs.yml")
    assert plain["plugins"] == ["search", "tags"]
    assert plain["theme"] == own["theme"]
    assert plain["markdown_extensions"] == own["markdown_extensions"]
    assert plain["extra_javascript"] == [
        "assets/playbook/record.js",
        "assets/playbook/mermaid.min.js",
    ]
    assert plain["extra_css"] == ["assets/playbook/record.css"]
    assert (plain["docs_dir"], plain["site_dir"]) == ("docs", "site")  # both inside the export
    text = (exported / "mkdocs.yml").read_text()
    assert "!!python/name:pymdownx.superfences.fence_code_format" in text


def test_the_exported_nav_lists_the_generated_pages(exported: Path) -> None:
    nav = read_config(exported / "mkdocs.yml")["nav"]
    assert {"Roles": [
        "roles/index.md",
        {"Account Executive": "roles/account-executive.md"},
        {"Sales Manager": "roles/sales-manager.md"},
        {"Sales Development Representative": "roles/sdr.md"},
    ]} in nav  # fmt: skip


def test_the_hand_written_docs_have_their_markers_replaced(exported: Path, sample: Path) -> None:
    assert "<!-- playbook:org-chart -->" in (sample / "docs" / "index.md").read_text()
    home = (exported / "docs" / "index.md").read_text()
    assert "playbook:" not in home
    assert "```mermaid" in home


def test_the_export_is_marked_and_tells_how_to_build_it(sample: Path, tmp_path: Path) -> None:
    result = run("-C", sample, "export", tmp_path / "out")

    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / MARK_FILE).is_file()
    assert "mkdocs build" in result.stdout
    assert "Writing" in result.stderr  # progress, on stderr


def test_the_settings_of_the_playbook_plugin_apply_to_the_export(
    fresh: Path, tmp_path: Path
) -> None:
    config = fresh / "mkdocs.yml"
    text = config.read_text().replace(
        "  - playbook\n", "  - playbook:\n      nav_limit: 2\n      offline_diagrams: false\n"
    )
    config.write_text(text)

    assert run("-C", fresh, "export", tmp_path / "out").exit_code == 0

    plain = read_config(tmp_path / "out" / "mkdocs.yml")
    assert {"Roles": ["roles/index.md"]} in plain["nav"]  # 3 roles, more than nav_limit
    assert "assets/playbook/mermaid.min.js" not in plain["extra_javascript"]
    assert not (tmp_path / "out" / "docs" / "assets" / "playbook" / "mermaid.min.js").exists()


def test_without_a_nav_the_export_writes_the_one_the_plugin_would_make(
    fresh: Path, tmp_path: Path
) -> None:
    config = fresh / "mkdocs.yml"
    text = config.read_text()
    config.write_text(text[: text.index("nav:")] + text[text.index("theme:") :])

    assert run("-C", fresh, "export", tmp_path / "out").exit_code == 0

    nav = read_config(tmp_path / "out" / "mkdocs.yml")["nav"]
    titles = [next(iter(entry)) for entry in nav]
    assert titles == ["Home", "Roles", "Onboarding", "Checklists", "Tags"]


def test_theme_overrides_beside_mkdocs_yml_are_carried_along(fresh: Path, tmp_path: Path) -> None:
    (fresh / "overrides").mkdir()
    (fresh / "overrides" / "main.html").write_text('{% extends "base.html" %}\n')
    config = fresh / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "  name: material\n", "  name: material\n  custom_dir: overrides\n"
        )
    )

    assert run("-C", fresh, "export", tmp_path / "out").exit_code == 0

    assert read_config(tmp_path / "out" / "mkdocs.yml")["theme"]["custom_dir"] == "overrides"
    assert (tmp_path / "out" / "overrides" / "main.html").is_file()


# --------------------------------------------------------------------------- where it runs


def test_export_runs_from_the_playbook_folder(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(sample)
    result = run("export", tmp_path / "from-root")

    assert result.exit_code == 0, result.output
    assert (tmp_path / "from-root" / "docs" / "roles" / "sdr.md").is_file()


def test_export_runs_from_a_subfolder_without_c(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(fresh / "roles")
    result = run("export", "../../from-subfolder")  # relative to where you stand

    assert result.exit_code == 0, result.output
    assert (fresh.parent / "from-subfolder" / "docs" / "dashboard.md").is_file()
    assert "../../from-subfolder" in result.stdout


# --------------------------------------------------------------------------- never losing a file


def test_a_second_export_replaces_the_first_and_keeps_what_others_added(
    sample: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert run("-C", sample, "export", out).exit_code == 0
    (out / "docs" / "stale.md").write_text("# Left from an earlier export\n")
    (out / "site").mkdir()
    (out / "site" / "index.html").write_text("built\n")
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/pages\n")

    result = run("-C", sample, "export", out)

    assert result.exit_code == 0, result.output
    assert "Replaced" in result.stdout
    assert not (out / "docs" / "stale.md").exists()
    assert (out / "site" / "index.html").read_text() == "built\n"
    assert (out / ".git" / "HEAD").read_text() == "ref: refs/heads/pages\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder left


def test_a_failed_export_leaves_the_earlier_one_intact(fresh: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("-C", fresh, "export", out).exit_code == 0
    before = _tree(out)
    (fresh / "docs" / "notes.md").write_bytes(b"# Notes\n\xff\xfe not UTF-8\n")

    result = run("-C", fresh, "export", out)

    assert result.exit_code == 1
    assert "notes.md" in result.output and "UTF-8" in result.output
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "playbook"]


def test_a_folder_that_is_not_an_earlier_export_is_refused(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my own notes\n")

    result = run("-C", sample, "export", out)

    assert result.exit_code == 1
    assert "not an earlier export" in result.output
    assert "hint: export into a new or empty folder" in result.output
    assert _tree(out) == {"notes.txt": b"my own notes\n"}


def test_an_empty_folder_is_exported_into(sample: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()

    assert run("-C", sample, "export", tmp_path / "empty").exit_code == 0

    assert (tmp_path / "empty" / "mkdocs.yml").is_file()


@pytest.mark.parametrize(
    ("directory", "message"),
    [
        (".", "it is the playbook itself"),
        ("docs/export", "it is inside the docs folder"),
        ("docs", "it is inside the docs folder"),
        ("logs/export", "it is inside logs/"),
        ("roles/export", "it is inside roles/"),
        ("site/export", "it is inside the site folder"),
        ("..", "it holds the playbook"),
    ],
)
def test_a_folder_where_an_export_could_cost_a_file_is_refused(
    directory: str, message: str, fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _tree(fresh.parent)
    monkeypatch.chdir(fresh)

    result = run("export", directory)

    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert _tree(fresh.parent) == before


def test_a_file_as_the_folder_is_a_usage_error(fresh: Path) -> None:
    before = _tree(fresh)

    result = run("-C", fresh, "export", "mkdocs.yml")

    assert result.exit_code == 2
    assert "is a file" in result.output
    assert _tree(fresh) == before


def test_a_hand_written_page_at_a_generated_path_is_refused(fresh: Path, tmp_path: Path) -> None:
    (fresh / "docs" / "dashboard.md").write_text("# My own dashboard\n")

    result = run("-C", fresh, "export", tmp_path / "out")

    assert result.exit_code == 1
    assert "dashboard.md: is generated from the playbook" in result.output
    assert not (tmp_path / "out").exists()


def test_an_invalid_playbook_is_not_exported(fresh: Path, tmp_path: Path) -> None:
    (fresh / "roles" / "sdr.yml").write_text("title: [unclosed\n")

    result = run("-C", fresh, "export", tmp_path / "out")

    assert result.exit_code == 1
    assert "sdr.yml:" in result.output
    assert not (tmp_path / "out").exists()


def test_export_without_a_folder_is_a_usage_error(sample: Path) -> None:
    assert run("-C", sample, "export").exit_code == 2


# --------------------------------------------------------------------------- mkdocs.yml round trip


def test_tags_survive_the_round_trip_as_written(tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: !ENV [SITE_NAME, Playbook]\n"
        "markdown_extensions:\n"
        "  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
    )

    data = read_config(config)

    assert data["site_name"] == Tagged("!ENV", ["SITE_NAME", "Playbook"])
    config.write_text(dump_config(data))
    assert read_config(config) == data


def test_an_inherited_configuration_is_merged_like_mkdocs_merges_it(tmp_path: Path) -> None:
    (tmp_path / "base.yml").write_text(
        "site_name: Base\ntheme:\n  name: material\n  language: pl\nplugins: [search]\n"
    )
    (tmp_path / "mkdocs.yml").write_text(
        "INHERIT: base.yml\ntheme:\n  language: en\nplugins: [search, playbook]\n"
    )

    assert read_config(tmp_path / "mkdocs.yml") == {
        "site_name": "Base",
        "theme": {"name": "material", "language": "en"},
        "plugins": ["search", "playbook"],
    }


def test_mkdocs_run_here_cannot_import_the_playbook_package() -> None:
    probe = PLAIN_MKDOCS.replace("from mkdocs.__main__ import cli; cli()", "import playbook")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)

    assert done.returncode != 0 and "playbook" in done.stderr


@pytest.mark.browser
def test_the_exported_site_draws_its_diagrams_without_a_cdn(mkdocs_site: Path) -> None:
    fetched: list[str] = []
    with serve(mkdocs_site) as url, chromium_page() as page:
        page.route("**/*", lambda route: _local_only(route, url, fetched))
        page.goto(url)
        # Material swaps each <pre class="mermaid"> for a <div> holding the drawing (in a
        # closed shadow root), with the Mermaid the page loaded, or one from a CDN if none.
        page.locator("div.mermaid").nth(1).wait_for(state="attached", timeout=30_000)
        assert page.evaluate("typeof mermaid") == "object"
    assert not [address for address in fetched if "mermaid" in address]


def _local_only(route: Any, url: str, fetched: list[str]) -> None:
    """Let the page reach the test's own server only; note what else it asked for."""
    if route.request.url.startswith(url):
        route.continue_()
    else:
        fetched.append(route.request.url)
        route.abort()


def test_the_shared_renderer_and_the_export_import_no_mkdocs_nor_click() -> None:
    probe = (
        "import sys, playbook.site.export, playbook.site.files; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'mkdocs', 'material', 'click'}))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)

    assert done.stdout.strip() == "[]", done.stderr
