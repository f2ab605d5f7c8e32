"""Covering on the real seeds: a compound line whose statements other lines state is not
written again; nothing it said is lost, and its sources are credited to those lines."""

from __future__ import annotations

import pytest

from compose.api import MergeResult, merge, merge_agents
from compose.consolidate import walk
from compose.load import loads
from compose.parse import parse
from compose.terms import content_terms, strip_markup
from tests.conftest import CORPUS, SEEDS, corpus_paths, needs_corpus

COMPOUND = "Implement proper versioning, pagination, and rate limiting strategies"


@pytest.fixture(scope="module")
def merged() -> MergeResult:
    return merge([str(p) for p in SEEDS], provenance=True)


def body(result: MergeResult) -> str:
    return result.text.split("\n---\n", 1)[1]


def lines(result: MergeResult) -> list[str]:
    return [
        strip_markup(line.text) for section in result.agent.sections for line in walk(section.lines)
    ]


def test_a_compound_line_said_by_other_lines_is_not_written(merged: MergeResult) -> None:
    assert COMPOUND not in merged.text
    unwritten = {c.text for c in merged.agent.covered}
    assert {"Implement proper versioning", "pagination", "rate limiting strategies"} <= unwritten
    written = lines(merged)
    # Each of its statements is a line of the merged agent, written whole.
    for needed in ({"version"}, {"pagin"}, {"ratelimit"}):
        assert any(needed <= set(content_terms(line)) for line in written)
    assert merged.verification.ok


def test_an_item_said_by_another_line_is_left_out_of_its_list(merged: MergeResult) -> None:
    assert "- Implement intelligent caching strategies and request batching <!--" in body(merged)
    assert "- Implement connection pooling and resource management for database and" in merged.text


def test_the_lines_that_state_it_are_credited_with_its_source(merged: MergeResult) -> None:
    # backend-developer wrote the compound line; the pagination line now names it too.
    pagination = next(
        line
        for section in merged.agent.sections
        for line in walk(section.lines)
        if line.text.startswith("Consider pagination, filtering")
    )
    assert "backend-developer" in pagination.sources


def test_lines_under_a_lead_in_and_short_items_are_kept(merged: MergeResult) -> None:
    # "Plan for rate limiting and throttling" is said elsewhere, but it is one of "When
    # designing APIs:" items; a list of short entries keeps every entry.
    assert "- Plan for rate limiting, throttling and security measures" in merged.text
    assert not any(c.text.startswith("Plan for rate limiting") for c in merged.agent.covered)


def test_a_single_agent_keeps_what_its_author_wrote_twice() -> None:
    text = (
        "---\nname: api\n---\n"
        f"- {COMPOUND}\n- Implement proper versioning strategy\n- Efficient pagination\n"
        "- Implement rate limiting to prevent abuse\n"
    )
    result = merge_agents([parse(loads(text, "api.md"))])
    assert COMPOUND in result.text and result.agent.covered == ()


def test_a_line_is_not_said_by_its_opposite() -> None:
    a = parse(loads("---\nname: a\n---\n- Use ORMs for all database access\n", "a.md"))
    b = parse(loads("---\nname: b\n---\n- Never use ORMs for all database access\n", "b.md"))
    result = merge_agents([a, b])
    assert result.agent.covered == ()
    assert "Use ORMs for all database access" in result.text


def test_a_noun_phrase_is_stated_only_by_its_words_in_order() -> None:
    # "design patterns" is not said by "Design asynchronous patterns".
    a = parse(loads("---\nname: a\n---\n- Follow SOLID principles and design patterns\n", "a.md"))
    b = parse(
        loads(
            "---\nname: b\n---\n- Apply SOLID principles rigorously\n"
            "- Design asynchronous patterns for throughput\n",
            "b.md",
        )
    )
    result = merge_agents([a, b])
    assert "Follow SOLID principles and design patterns" in result.text


def test_an_example_clause_keeps_every_example() -> None:
    # "such as querying, data persistence, and reactive updates" is not a series of the
    # line's own items: leaving "data persistence" out would break it.
    a = parse(
        loads(
            "---\nname: a\n---\n- Provide code examples for common operations, such as "
            "querying, data persistence, and reactive updates\n",
            "a.md",
        )
    )
    b = parse(loads("---\nname: b\n---\n- Design data persistence layers for scale\n", "b.md"))
    result = merge_agents([a, b])
    assert "such as querying, data persistence, and reactive updates" in result.text


@needs_corpus
def test_a_line_naming_a_merged_agent_as_a_partner_is_the_agent_s_own_work() -> None:
    folder = CORPUS / "VoltAgent+awesome-claude-code-subagents/categories/04-quality-security"
    result = merge([str(folder / "qa-expert.md"), str(folder / "test-automator.md")])
    # qa-expert's partner is now the merged agent itself: not written, and said by it (its
    # subject, automation, is still said); other partners stay.
    assert "Collaborate with test-automator on automation" not in result.text
    assert "Collaborate with qa-expert on test strategy" not in result.text
    assert any(c.by is None for c in result.agent.covered) and result.verification.ok
    assert "Work with performance-engineer on performance testing" in result.text


def test_a_partner_line_stays_when_the_partner_s_name_is_said_nowhere_else() -> None:
    # VoltAgent's risk-manager "Collaborate with quant-analyst on risk models", in the merge
    # of the 162 VoltAgent agents: dropped as the agent's own work, "quant" was said by no
    # other line, and the merge was refused.
    risk = (
        "---\nname: risk-manager\n---\n- Collaborate with quant-analyst on risk models\n"
        "- Stress-test risk models against historical crises\n"
    )
    quant = "---\nname: quant-analyst\n---\n- Price exotic derivatives\n"
    result = merge_agents([parse(loads(risk, "a.md")), parse(loads(quant, "b.md"))])
    assert "- Collaborate with quant-analyst on risk models\n" in result.text
    assert result.verification.ok


def test_a_partner_line_working_on_a_name_said_elsewhere_is_the_agent_s_own_work() -> None:
    # VoltAgent's react-specialist "Collaborate with frontend-developer on UI patterns", in a
    # merge with lst97's frontend-developer: the merged agent would delegate to itself (an
    # editor's reading). "UI" is written by another line, so nothing is lost.
    react = (
        "---\nname: react-specialist\n---\n- Collaborate with frontend-developer on UI patterns\n"
        "- Build reusable UI patterns with hooks\n"
    )
    frontend = (
        "---\nname: frontend-developer\ndescription: A frontend developer\n---\n"
        "- Style components with Tailwind CSS\n"
    )
    result = merge_agents([parse(loads(react, "a.md")), parse(loads(frontend, "b.md"))])
    assert "frontend-developer on UI patterns" not in result.text
    assert result.verification.ok
    # Where nothing else writes the name it works on, the line stays.
    react = react.replace("- Build reusable UI patterns with hooks\n", "- Build hooks\n")
    result = merge_agents([parse(loads(react, "a.md")), parse(loads(frontend, "b.md"))])
    assert "- Collaborate with frontend-developer on UI patterns\n" in result.text


def test_an_agent_named_by_an_ordinary_word_is_named_only_as_an_agent() -> None:
    # "api" in "Test the api layer" names no agent: only "the api agent" or "@api" would.
    api = "---\nname: api\n---\n- Design the api layer\n"
    tests = "---\nname: tests\n---\n- Test the api layer for regressions\n"
    result = merge_agents([parse(loads(api, "a.md")), parse(loads(tests, "b.md"))])
    assert "Test the api layer for regressions" in result.text
    assert result.agent.covered == ()


def test_an_item_kept_in_context_is_left_out_only_for_a_line_of_its_section(
    merged: MergeResult,
) -> None:
    # "Handle API rate limiting, exponential backoff, and graceful degradation" is about
    # third-party APIs; "Add retry logic with exponential backoff" in another section says
    # backoff of retries, and leaving it out read as a fifth "rate-limit your API".
    assert "- Handle API rate limiting, exponential backoff, and graceful degradation" in (
        merged.text
    )


def test_a_line_under_a_lead_in_states_what_its_lead_in_says(merged: MergeResult) -> None:
    # "Implement proper versioning strategy (URL, header, or content negotiation)" under
    # "When designing APIs:" states API versioning: the plain "Design API versioning
    # strategies" is not written again, and the lead-in's line is credited with it.
    assert "Design API versioning strategies" not in merged.text
    assert any(c.text == "Design API versioning strategies" for c in merged.agent.covered)
    assert "- Implement proper versioning strategy (URL, header, or content negotiation)" in (
        merged.text
    )


def test_a_line_stated_whole_by_a_line_of_another_section_is_not_written(
    merged: MergeResult,
) -> None:
    # "observability" alone is found only in the line's own section, but one line elsewhere
    # says the whole of "Implement proper monitoring and observability".
    assert "Implement proper monitoring and observability" not in merged.text
    assert "- Include comprehensive monitoring, health checks, and observability from day one" in (
        merged.text
    )


def listed(name: str, lead: str, entries: list[str]) -> str:
    """An agent of one list of short entries under lead."""
    items = "".join(f"- {e}\n" for e in entries)
    return f"---\nname: {name}\n---\n## Practices\n\n{lead}\n\n{items}"


def test_a_short_entry_an_earlier_list_of_its_subject_writes_is_written_once() -> None:
    a = listed("a", "Platform patterns:", ["Blue-green deployment", "Canary releases"])
    b = listed("b", "Production patterns:", ["Blue-green deployments", "Shadow mode"])
    c = listed("c", "Rollout patterns:", ["Canary releases"])
    d = listed("d", "SDK documentation:", ["Shadow mode", "Method references"])
    sources = (("a", a), ("b", b), ("c", c), ("d", d))
    result = merge_agents([parse(loads(t, f"{n}.md")) for n, t in sources])
    # Said once (in either number), by the first list; "Production patterns:" keeps what
    # only it says, and a list keeps its one entry.
    assert result.text.count("- Blue-green deployment") == 1
    assert "Production patterns:\n\n- Shadow mode\n" in result.text
    assert "Rollout patterns:\n\n- Canary releases\n" in result.text
    assert any(c.text == "Blue-green deployments" for c in result.agent.covered)
    # Under a lead-in of another subject, the entry says something of that.
    assert "SDK documentation:\n\n- Shadow mode\n- Method references\n" in result.text


def test_an_entry_under_a_lead_in_of_another_subject_of_one_kind_stays() -> None:
    # VoltAgent's qa-expert lists "Usability testing" and "Security testing" under "Manual
    # testing:" and again under "Mobile testing:": there they are mobile usability and
    # mobile security testing, and an editor read them as lost when written once.
    a = listed("a", "Manual testing:", ["Usability testing", "Exploratory testing"])
    b = listed("b", "Mobile testing:", ["Usability testing", "Device compatibility"])
    result = merge_agents([parse(loads(t, f"{n}.md")) for n, t in (("a", a), ("b", b))])
    assert "Mobile testing:\n\n- Usability testing\n- Device compatibility\n" in result.text


def test_an_entry_its_author_wrote_in_two_lists_of_one_subject_stays_in_both() -> None:
    # VoltAgent's nextjs-developer lists "Type safety" under "Server Actions:" and again under
    # "Server excellence:"; merged with other agents, the second was left out and an editor
    # read it as lost. A merge of that agent alone keeps both.
    a = (
        "---\nname: a\n---\n## Practices\n\nServer Actions:\n\n- Type safety\n- Form handling\n"
        "- Data mutations\n\nServer excellence:\n\n- Type safety\n- Streaming smooth\n"
        "- Caching effective\n"
    )
    b = listed("b", "Rendering patterns:", ["Static generation", "Streaming SSR"])
    result = merge_agents([parse(loads(t, f"{n}.md")) for n, t in (("a", a), ("b", b))])
    assert result.text.count("- Type safety\n") == 2


def test_a_line_under_a_prohibiting_lead_in_does_not_state_the_practice() -> None:
    never = "Never do this:\n\n- Log full request bodies of production services for debugging\n"
    a = parse(loads(f"---\nname: a\n---\n{never}", "a.md"))
    b = parse(
        loads("---\nname: b\n---\n- Log full request bodies of production services\n", "b.md")
    )
    result = merge_agents([a, b])
    assert result.agent.covered == ()
    assert "- Log full request bodies of production services\n" in result.text


@needs_corpus
def test_a_short_item_among_longer_ones_is_a_statement_like_them() -> None:
    # 0xfurai's "Side effects with `useEffect` hook" sits among lst97's long practices; the
    # hooks practice states it ("side effects (`useEffect`)"), so it is not written twice.
    result = merge(
        [
            str(CORPUS / "0xfurai+claude-code-subagents/agents/react-expert.md"),
            str(CORPUS / "lst97+claude-code-sub-agents/agents/development/react-pro.md"),
        ]
    )
    assert "- Side effects with `useEffect` hook" not in result.text
    assert any(c.text == "Side effects with useEffect hook" for c in result.agent.covered)
    assert "side effects (`useEffect`)" in result.text


@needs_corpus
def test_a_command_in_code_is_stated_only_as_written() -> None:
    # 0xfurai's "Comprehensive tests with `cargo test`" was left out as stated by VoltAgent's
    # "Fuzzing with cargo-fuzz": both say cargo and testing, and `cargo test` was lost.
    result = merge(
        [
            str(CORPUS / "0xfurai+claude-code-subagents/agents/rust-expert.md"),
            str(
                CORPUS / "VoltAgent+awesome-claude-code-subagents/categories/"
                "02-language-specialists/rust-engineer.md"
            ),
        ]
    )
    assert "`cargo test`" in result.text


@needs_corpus
def test_a_deliverable_is_not_said_by_a_practice() -> None:
    # 0xfurai's "## Output" lists "Detailed explanations of transaction management
    # practices."; its checklist's "Data integrity is ensured with proper transaction
    # management." says the subject, not the explanations the agent hands over, and an
    # editor read the output as lost.
    result = merge(corpus_paths("0xfurai/sql-expert", "VoltAgent/sql-pro"))
    assert "- Detailed explanations of transaction management practices." in result.text


@needs_corpus
def test_event_handling_is_not_said_by_lifecycle_events() -> None:
    # 0xfurai's react-expert "Event handling in React" was left out as said by lst97's
    # "Functional Components and Hooks: ... and other lifecycle events" under "Modern React
    # Mastery:" ("handling" is a vague word, "React" said by the lead-in).
    paths = corpus_paths("lst97/react-pro", "0xfurai/react-expert")
    assert "- Event handling in React\n" in merge(paths).text


@needs_corpus
def test_a_deliverable_covers_no_practice() -> None:
    # 0xfurai's terraform-expert: "Implement state management best practices." (Focus
    # Areas) was dropped for lst97's deliverable "**Terraform IaC Modules:** ... a clear
    # explanation of the module organization and state management strategy."
    paths = corpus_paths(
        "0xfurai/terraform-expert", "VoltAgent/cloud-architect", "lst97/cloud-architect"
    )
    assert "- Implement state management best practices.\n" in merge(paths).text
