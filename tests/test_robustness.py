"""Fuzzing across the pipeline and the whole public corpus: never a crash other than the
project's own errors, never a bullet lost, merges idempotent and order-insensitive."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compose.api import merge_agents
from compose.clustering import cluster
from compose.errors import ComposeError, LossError
from compose.load import loads
from compose.parse import Agent, parse
from compose.report import build_report
from compose.semdiff import diff
from tests.conftest import needs_corpus

WORDS = st.sampled_from(
    (
        "Redis caching JWT auth OAuth2 queries index design API REST GraphQL use implement "
        "never avoid N+1 Kafka the and with (x, y) **bold** `code` [link](u) -"
    ).split()
)
LINE = st.lists(WORDS, min_size=1, max_size=8).map(" ".join)
BLOCK = st.one_of(
    LINE.map(lambda s: f"- {s}"),
    LINE.map(lambda s: f"  - {s}"),
    LINE.map(lambda s: f"1. **{s}**"),
    LINE.map(lambda s: f"## {s}"),
    LINE.map(lambda s: f"**{s}:**"),
    LINE.map(lambda s: f"{s}:"),
    st.just("## Red Flags to Avoid"),
    st.just("```\n- not a bullet\n```"),
    LINE,
    st.just(""),
)
FRONTMATTER = st.one_of(
    st.just("name: fuzz\ndescription: Use this: when <example>x</example>"),
    st.just("name: fuzz\ntools: Read, Agent(a, b)\nmodel: opus"),
    st.text(alphabet="ab:-'\"\n #[]{}", max_size=40),
)


def document(frontmatter: str, blocks: list[str]) -> str:
    return f"---\n{frontmatter}\n---\n" + "\n".join(blocks) + "\n"


def merged_again(text: str) -> str:
    """A merged agent merged once more, as a user would run compose on its own output."""
    return merge_agents([parse(loads(text, "again.md"))]).text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FRONTMATTER, st.lists(BLOCK, max_size=25))
def test_random_agents_never_crash_and_merge_keeps_every_bullet(
    frontmatter: str, blocks: list[str]
) -> None:
    try:
        agent = parse(loads(document(frontmatter, blocks), "fuzz.md"))
    except ComposeError:
        return
    result = merge_agents([agent])
    assert result.verification.ok
    for bullet in agent.bullets:
        assert result.clustering.cluster_of()[bullet.id]
    assert merged_again(result.text) == result.text  # idempotent
    assert diff(agent, agent).equivalent


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(BLOCK, max_size=12), min_size=2, max_size=4), st.randoms())
def test_random_groups_merge_the_same_in_any_order(
    bodies: list[list[str]], rng: random.Random
) -> None:
    agents = [
        parse(loads(document(f"name: agent-{i}", b), f"a{i}.md")) for i, b in enumerate(bodies)
    ]
    shuffled = list(agents)
    rng.shuffle(shuffled)
    text = merge_agents(agents).text
    assert merge_agents(shuffled).text == text
    assert merged_again(text) == text  # idempotent for groups too


def test_the_whole_corpus_merges_in_random_groups_without_losing_anything(
    corpus_agents: tuple[Agent, ...],
) -> None:
    agents = list(corpus_agents)
    random.Random(2026).shuffle(agents)
    failures = []
    for start in range(0, len(agents), 4):
        group = agents[start : start + 4]
        try:
            merge_agents(group)
        except LossError as exc:
            failures.append(exc.message)
    assert failures == []
    build_report(cluster(agents[:60]))


def test_paragraph_that_looks_like_a_list_item_stays_a_paragraph() -> None:
    # Found by fuzzing: bold "- Redis:" is a paragraph whose plain text reads as a list item.
    agent = parse(loads("---\nname: fuzz\n---\n**- Redis:**\n**Redis:**\n", "f.md"))
    once = merge_agents([agent]).text
    assert merged_again(once) == once


def test_blank_line_inside_a_list_item_is_not_a_block() -> None:
    # Found by fuzzing: a loose nested list left an empty verbatim block behind.
    agent = parse(loads("---\nname: fuzz\n---\n- Redis\n\n  - Redis\n", "f.md"))
    assert all(not s.verbatim for s in agent.sections)
    once = merge_agents([agent]).text
    assert merged_again(once) == once


def test_lazy_continuation_line_belongs_to_its_item() -> None:
    # Found by fuzzing: "**Redis:**" continues the first item, so lines were matched wrong.
    agent = parse(loads("---\nname: fuzz\n---\n- caching\n**Redis:**\n- caching\n", "f.md"))
    assert [(b.text, b.line) for b in agent.bullets] == [("caching Redis:", 4), ("caching", 6)]
    once = merge_agents([agent]).text
    assert merged_again(once) == once


def test_bold_only_line_with_children_is_not_read_back_as_a_section() -> None:
    # Found by fuzzing: "- **Redis caching**" with a nested item parses as a sub-section.
    agent = parse(
        loads("---\nname: f\n---\n1. **Redis caching**\n- Redis caching\n  - Redis\n", "f")
    )
    once = merge_agents([agent]).text
    assert merged_again(once) == once


@pytest.mark.parametrize(
    ("first", "second", "written"),
    [
        # Found by fuzzing: "Redis" from "- Redis **[link](u):**" was written into the link's
        # target, "[link](u, Redis)"; the item's opening word now keeps it a line of its own.
        ("- Redis\n**[link](u):**\n- [link](u)\n", "- [link](u)\n", "- Redis **[link](u):**"),
        # Found by fuzzing groups: "****bold** caching**" gained a nested "Redis" from the
        # other agent and read back as a section title, which a regex for "**Title**" missed.
        # "caching" is now a short entry that stays in its own list, with its "Redis".
        (
            "## Red Flags\n1. ****bold** caching**\n",
            "## Red Flags\n- caching\n  - Redis\n",
            "- caching\n  - Redis\n\nRed Flags:\n\n1. ****bold** caching**\n",
        ),
    ],
    ids=["details-beside-a-link", "bold-title-with-children"],
)
def test_a_merged_line_reads_back_as_written(first: str, second: str, written: str) -> None:
    agents = [
        parse(loads(f"---\nname: {name}\n---\n{body}", f"{name}.md"))
        for name, body in (("a", first), ("b", second))
    ]
    result = merge_agents(agents)
    assert written in result.text
    assert merged_again(result.text) == result.text


def test_unclassified_cluster_keeps_an_unclassified_title() -> None:
    # Found by fuzzing: an 'other' cluster titled after a 'data' section changed topic later.
    agent = parse(loads("---\nname: f\n---\n- Redis\n- Redis\n## caching\n- Redis\n", "f.md"))
    once = merge_agents([agent]).text
    assert merged_again(once) == once


@pytest.mark.parametrize(
    "body",
    [
        # Found by fuzzing: the same terms in other words in one list are kept apart, and the
        # cluster of the first "Redis" went to the "Redis" section, away from "Redis Redis".
        "- Redis\n- Redis Redis\n## Redis\n- Redis\n",
        # ... and items of one list one term apart, held apart as items of one list.
        "- Redis N+1\n- Redis Redis caching N+1\n## Redis\n- Redis N+1\n",
    ],
)
def test_lines_held_apart_in_one_list_stay_in_one_section(body: str) -> None:
    once = merge_agents([parse(loads("---\nname: fuzz\n---\n" + body, "f.md"))]).text
    assert merged_again(once) == once


@needs_corpus
def test_a_merge_of_a_merged_corpus_group_changes_nothing(
    corpus_agents: tuple[Agent, ...],
) -> None:
    # Found on the corpus: git-workflow-manager's "Workflow clear" took "(Git)" from its
    # cluster and met wordpress-master's "Git workflows" in another section.
    names = ("git-workflow-manager", "nestjs-expert", "node-specialist", "wordpress-master")
    once = merge_agents([a for a in corpus_agents if a.name in names]).text
    assert merged_again(once) == once


def test_a_bold_lead_in_sorts_the_same_when_merged_again() -> None:
    # Found merging all of lst97: "**Example Roadmap:**" is written plain, and only then
    # read as a lead-in, which goes last among its section's paragraphs; the agent's closing
    # paragraph after it.
    body = (
        "## Deliverables\n\n- **Roadmap:** A plan.\n\n  **Example Roadmap:**\n\n"
        "- **Epic:** User Authentication\n\nEach phase has an owner.\n"
    )
    once = merge_agents([parse(loads("---\nname: f\n---\n" + body, "f.md"))]).text
    assert once.endswith("Example Roadmap:\n\nEach phase has an owner.\n")
    assert merged_again(once) == once


def test_an_empty_item_continued_on_the_next_line_reads_back_as_written() -> None:
    # Found by fuzzing: "-" then "**Redis:**" was written "-  **Redis:**" (two spaces), which
    # a merge of the merge wrote with one.
    agent = parse(loads("---\nname: f\n---\n-\n**Redis:**\n", "f.md"))
    once = merge_agents([agent]).text
    assert once.endswith("\n- **Redis:**\n") and merged_again(once) == once


@needs_corpus
def test_an_item_under_two_titled_lead_ins_merges_again_the_same(
    corpus_agents: tuple[Agent, ...],
) -> None:
    # rails-expert writes "Active Storage, Action Text, Action Mailbox" under "Rails 8
    # features (...):" and "Rails 7 equivalents (...):", each written as its section's
    # heading: kept under both, a merge of the merge read two plain copies and joined them.
    agent = next(a for a in corpus_agents if a.path.endswith("specialists/rails-expert.md"))
    once = merge_agents([agent]).text
    assert merged_again(once) == once
