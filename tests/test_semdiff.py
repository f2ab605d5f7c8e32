from __future__ import annotations

from compose.load import load, loads
from compose.parse import parse
from compose.semdiff import diff, diff_data, diff_text, word_diff
from tests.conftest import SEEDS


def test_a_seed_diffed_with_itself_is_empty() -> None:
    for path in SEEDS:
        agent = parse(load(path))
        result = diff(agent, agent)
        assert result.equivalent and result.unchanged == len(agent.bullets)


def test_reworded_moved_added_removed_are_each_found_once() -> None:
    path = SEEDS[1]  # backend-developer
    text = path.read_text()
    edited = (
        text.replace(
            "   - Design RESTful and GraphQL APIs following industry best practices",
            "   - Design REST and GraphQL APIs that follow industry best practices",
        )
        .replace("   - Apply HATEOAS principles where appropriate\n", "")
        .replace("   - Handle database migrations and version control\n", "")
        .replace(
            "   - Design secure API key management systems\n",
            "   - Design secure API key management systems\n"
            "   - Handle database migrations and version control\n"
            "   - Rotate secrets on a schedule with Vault\n",
        )
    )
    result = diff(parse(load(path)), parse(loads(edited, str(path))))
    kinds = sorted(c.kind for c in result.bullets)
    assert kinds == ["added", "moved", "removed", "reworded"]
    by_kind = {c.kind: c for c in result.bullets}
    assert by_kind["removed"].old and by_kind["removed"].old.text.startswith("Apply HATEOAS")
    assert by_kind["added"].new and "Vault" in by_kind["added"].new.text
    moved = by_kind["moved"]
    assert moved.old and moved.new and moved.new.section == "Security Implementation"
    assert by_kind["reworded"].words == (
        "Design [-RESTful-] {+REST+} and GraphQL APIs [-following-] {+that follow+} "
        "industry best practices"
    )
    data = diff_data(result)
    assert data["equivalent"] is False and len(data["bullets"]) == 4


def test_frontmatter_and_section_renames() -> None:
    old = parse(loads("---\nname: a\nmodel: sonnet\n---\n## Caching\n- Use Redis\n- Use a CDN\n"))
    new = parse(loads("---\nname: a\nmodel: opus\n---\n## Performance\n- Use Redis\n- Use a CDN\n"))
    result = diff(old, new)
    assert [(f.field, f.kind) for f in result.fields] == [("model", "changed")]
    assert result.sections_renamed == (("Caching", "Performance"),)
    assert result.bullets == ()  # the bullets moved with their section


def test_word_diff() -> None:
    assert word_diff("use a cache", "use a fast cache") == "use a {+fast+} cache"


def test_text_shows_field_values_as_a_file_writes_them() -> None:
    old = parse(loads("---\nname: a\n---\n- Use Redis\n", "old.md"))
    new = parse(loads("---\nname: a\ntools: Read, Grep\n---\n- Use Redis\n", "new.md"))
    text = diff_text(diff(old, new))
    assert "frontmatter tools added: (none) -> Read, Grep" in text
    assert "None" not in text and "('" not in text
