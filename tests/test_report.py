from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from compose.api import load_agents
from compose.clustering import Settings, cluster
from compose.formats import HTML_MATRIX_MAX_AGENTS, to_html, to_json, to_markdown, to_text
from compose.report import Report, build_report, relatedness
from compose.tuning import report_tuning
from tests.conftest import CORPUS, FIXTURES, SEED_NAMES, needs_corpus


@pytest.fixture(scope="module")
def report() -> Report:
    return build_report(cluster(load_agents([FIXTURES]).agents))


def test_overlap_matrix_has_full_diagonal_and_consistent_counts(report: Report) -> None:
    assert report.names == SEED_NAMES
    for i, name in enumerate(report.names):
        row = report.row(name)
        assert row[i] == 1.0
        assert all(0.0 <= v <= 1.0 for v in row)
    # Sharing is symmetric in bullets: A's bullets clustered with B's imply B's with A's.
    for a in report.names:
        for b in report.names:
            assert (report.share(a, b) > 0) == (report.share(b, a) > 0)


def test_unique_bullets_are_exactly_the_single_agent_clusters(report: Report) -> None:
    single = {m.id for c in report.clustering.clusters if len(c.agents) == 1 for m in c.members}
    unique = {b.id for _, bullets in report.unique for b in bullets}
    assert unique == single
    assert all(len(c.agents) > 1 for c in report.shared)


def test_json_extends_contract_v1(report: Report) -> None:
    data = json.loads(to_json(report))
    assert data["version"] == 1
    assert set(data) == {
        "version",
        "similarity",
        "agents",
        "clusters",
        "overlap",
        "near_duplicates",
        "families",
        "conflicts",
    }
    assert data["families"] == [{"agents": list(SEED_NAMES), "share": 0.3453}]
    assert data["similarity"] == "semantic"
    assert data["overlap"]["backend-master"]["backend-master"] == 1.0
    assert sum(len(c["members"]) for c in data["clusters"]) == 271


def test_near_duplicate_copies_are_found_with_a_verdict(tmp_path: Path) -> None:
    original = (FIXTURES / "backend-master.md").read_text()
    (tmp_path / "a.md").write_text(original)
    (tmp_path / "b.md").write_text(original.replace("name: backend-master", "name: backend-copy"))
    report = build_report(cluster(load_agents([tmp_path]).agents))
    (dupe,) = report.near_duplicates
    assert dupe.verdict == "identical except name" and dupe.similarity == 1.0


class _Checker(HTMLParser):
    VOID = frozenset({"meta", "br", "img", "hr", "input", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()


def test_html_is_well_formed_self_contained_and_names_every_agent(report: Report) -> None:
    page = to_html(report)
    checker = _Checker()
    checker.feed(page)
    assert checker.stack == []
    assert "http://" not in page and "https://" not in page and "<link" not in page
    for name in SEED_NAMES:
        assert name in page


def test_text_and_markdown_name_agents_and_shared_statements(report: Report) -> None:
    text = to_text(report, width=200)
    markdown = to_markdown(report)
    for name in SEED_NAMES:
        assert name in text and name in markdown
    assert "Implement caching strategies" in text
    assert "| backend-architect | 100% |" in markdown


@needs_corpus
def test_a_corpus_directory_reports_without_errors() -> None:
    loaded = load_agents([CORPUS / "lst97+claude-code-sub-agents"])
    report = build_report(cluster(loaded.agents))
    assert len(report.names) == 37
    assert json.loads(to_json(report))["version"] == 1
    to_html(report)
    to_markdown(report)
    to_text(report)


def test_rich_markup_in_a_bullet_is_printed_as_text(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.md").write_text(
            f"---\nname: {name}\n---\n- Cache with Redis [/red] [bold]x[/bold] :smile:\n"
        )
    agents = load_agents([tmp_path]).agents
    text = to_text(build_report(cluster(agents, Settings())))
    assert "Redis [/red] [bold]x[/bold] :smile:" in text


def _agent_file(folder: Path, name: str, bullet: str) -> None:
    (folder / f"{name}.md").write_text(f"---\nname: {name}\n---\n- {bullet}\n- Shared line here\n")


def test_a_directory_skips_what_is_not_a_regular_file_and_reads_a_hard_link_once(
    tmp_path: Path,
) -> None:
    _agent_file(tmp_path, "a", "Use Redis for caching")
    _agent_file(tmp_path, "b", "Use Postgres for storage")
    (tmp_path / "dangling.md").symlink_to(tmp_path / "missing.md")
    (tmp_path / "folder.md").mkdir()
    (tmp_path / "hard.md").hardlink_to(tmp_path / "a.md")
    loaded = load_agents([tmp_path])
    assert sorted(a.name for a in loaded.agents) == ["a", "b"]
    notes = "\n".join(loaded.notes)
    assert "dangling.md: skipped (not a regular file)" in notes
    assert "folder.md: skipped (not a regular file)" in notes
    assert "hard.md: the same file as" in notes


def test_names_with_commas_and_newlines_keep_reports_intact(tmp_path: Path) -> None:
    for name, bullet in (("a, b", "Use Redis for caching"), ("c", "Use Redis for caching")):
        text = f'---\nname: "{name}\\nx"\n---\n- {bullet}\n'
        (tmp_path / f"{name[0]}.md").write_text(text)
    report = build_report(cluster(load_agents([tmp_path]).agents))
    assert "| a, b x | 100% |" in to_markdown(report)
    page = to_html(report)
    assert 'data-agent="a, b\nx"' in page
    assert '"agents":[["a, b\\nx",' in page  # the page's data, as JSON


def test_a_large_collection_keeps_each_agents_top_partners_and_a_bounded_html_grid(
    tmp_path: Path,
) -> None:
    for k in range(150):
        _agent_file(tmp_path, f"agent{k:03}", f"Own practice number {k} alpha{k}")
    report = build_report(cluster(load_agents([tmp_path]).agents))
    assert max(len(row) for row in report.overlap.values()) == report_tuning().overlap_partners + 1
    assert report.share("agent000", "agent000") == 1.0
    page = to_html(report)
    # The grid is drawn for HTML_MATRIX_MAX_AGENTS agents; the rest are in the JSON report.
    assert page.count('<th class="up">') == HTML_MATRIX_MAX_AGENTS
    assert "The 90 other agents are in the JSON report." in page
    assert report_tuning().overlap_partners + 1 >= HTML_MATRIX_MAX_AGENTS  # every cell is exact


def test_a_hostile_bullet_cannot_close_the_pages_script(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.md").write_text(
            f"---\nname: {name}\n---\n- Cache with Redis </script><script>alert(1)</script>\n"
        )
    page = to_html(build_report(cluster(load_agents([tmp_path]).agents)))
    assert "</script><script>alert(1)" not in page
    assert page.count("</script>") == 2  # the page's data and its code


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_browser = pytest.mark.skipif(
    CHROMIUM is None, reason="needs chromium (apt-get install chromium) for the browser check"
)


def _browser(*args: str) -> str:
    done = subprocess.run(
        [str(CHROMIUM), "--headless=new", "--no-sandbox", "--disable-gpu", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


@needs_browser
def test_the_html_report_works_in_a_real_browser(report: Report, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(to_html(report), encoding="utf-8")
    dom = _browser("--dump-dom", page.as_uri())
    # The summary comes first; the script drew the shared statements and the unique lists.
    assert dom.index('id="summary"') < dom.index('id="overlap"') < dom.index('id="statements"')
    shown = dom.count('<details class="cluster"')
    assert 0 < shown <= 50 and f"{len(report.shared)} of {len(report.shared)}" in dom
    drawn = dom.count(" unique bullets</span>")
    assert drawn == sum(1 for _, bullets in report.unique if bullets)
    # A search in the address: only the statements backend-master shares.
    searched = _browser("--dump-dom", page.as_uri() + "#q=agent:backend-master")
    with_master = sum(1 for c in report.shared if "backend-master" in c.agents)
    assert f"{with_master} of {len(report.shared)} shared statements" in searched
    screenshot = tmp_path / "first-screen.png"
    _browser("--window-size=1280,800", f"--screenshot={screenshot}", page.as_uri())
    assert screenshot.stat().st_size > 10_000  # something was drawn


@needs_corpus
@needs_browser
def test_the_corpus_report_page_is_small_and_opens_on_its_summary(tmp_path: Path) -> None:
    report = build_report(cluster(load_agents([CORPUS]).agents))
    page = tmp_path / "corpus.html"
    page.write_text(to_html(report), encoding="utf-8")
    assert page.stat().st_size < 3 * 2**20
    dom = _browser("--dump-dom", page.as_uri())
    assert dom.index("What to merge") < dom.index("Most overlapping pairs") < dom.index("Overlap<")
    assert "page 1 of " in dom and dom.count('<details class="cluster"') == 50


def test_relatedness_is_the_mean_share_of_the_overlap_matrix(report: Report) -> None:
    names = report.names
    shares = [report.share(a, b) for a in names for b in names if a != b]
    assert relatedness(report.clustering) == pytest.approx(sum(shares) / len(shares), abs=1e-3)
    assert relatedness(report.clustering) > report_tuning().related  # seeds: related (0.35)
