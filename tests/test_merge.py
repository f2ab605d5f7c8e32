"""The composer end to end on the real seeds: lossless, strict, small, deterministic, idempotent."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import replace
from functools import cache
from pathlib import Path

import frontmatter
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from compose import consolidate as consolidate_module
from compose.api import MergeResult, disambiguate, merge, merge_agents
from compose.consolidate import MergeOptions, merged_name, missing_details, walk, with_items
from compose.errors import LossError
from compose.load import load, loads
from compose.parse import Agent, parse
from compose.terms import contains_term, lexicon, list_parts, named_terms
from compose.verify import verify, word_loss
from tests.conftest import CORPUS, SEEDS, corpus_paths, needs_corpus

SEED_TERMS = (
    "Redis",
    "Memcached",
    "Kafka",
    "RabbitMQ",
    "SQS",
    "JWT",
    "OAuth2",
    "SAML",
    "RBAC",
    "ABAC",
    "OWASP",
    "bcrypt",
    "Argon2",
    "scrypt",
    "CSP",
    "HSTS",
    "X-Frame-Options",
    "gRPC",
    "GraphQL",
    "HATEOAS",
    "OpenAPI",
    "Swagger",
    "Docker",
    "Kubernetes",
    "CQRS",
    "Saga",
    "CDN",
    "3NF",
    "B-tree",
    "NoSQL",
    "HTTPS",
    "CORS",
    "XSS",
    "SOLID",
    "ETL",
)


@pytest.fixture(scope="module")
def seed_agents() -> list[Agent]:
    return [parse(load(path)) for path in SEEDS]


@pytest.fixture(scope="module")
def merged() -> MergeResult:
    return merge([str(p) for p in SEEDS])


def body(text: str) -> str:
    return text.split("\n---\n", 1)[1]


def merged_corpus(*agents: str) -> str:
    """The merged body of corpus agents named "collection/name" ("lst97/react-pro")."""
    return body(merge(corpus_paths(*agents)).text)


def test_the_description_is_one_quoted_line_unless_a_block_is_asked_for(
    seed_agents: list[Agent], merged: MergeResult
) -> None:
    """One double-quoted line is strict YAML every loader reads whole; a loader that reads
    only a block's first line (claude-code#9068) would see "Use this agent when ..." alone."""
    header = merged.text.split("\n---\n", 1)[0].splitlines()
    line = next(h for h in header if h.startswith("description:"))
    assert line.startswith('description: "') and line.endswith('"')
    assert "<example>" in line and "\\n" in line
    block = merge_agents(seed_agents, options=MergeOptions(description_style="block")).text
    assert "\ndescription: |" in block
    assert frontmatter.loads(block).metadata == frontmatter.loads(merged.text).metadata


def test_frontmatter_is_strict_yaml_that_round_trips(merged: MergeResult) -> None:
    post = frontmatter.loads(merged.text)  # strict: raises on invalid YAML
    assert post.metadata == {k: v for k, v in merged.agent.frontmatter}
    assert post["name"] == "backend"
    assert post["model"] == "opus"
    assert post["color"] == "red"
    assert "tools" not in post.metadata  # four seeds omit tools, i.e. allow all
    description = post["description"]
    # One list of when to use it (five editors read "; also when ..." as a run-on).
    assert description.startswith("Use this agent:\n- when you need to implement backend")
    # 17 examples in the seeds, about six scenarios: four kept, chosen to cover the most.
    assert description.count("<example>") == description.count("</example>") == 4
    assert len(description) <= 3000
    # The description asks to be used proactively: the one example showing it (an auth
    # middleware reviewed unasked) stands for the review example; architecture, performance
    # and integration stay.
    for asked in ("fitness app", "authentication middleware", "My API is slow", "Stripe"):
        assert asked in description
    assert "backend-specialist agent" not in description and "backend agent" in description
    assert yaml.safe_load(yaml.safe_dump(post.metadata)) == post.metadata


def test_every_named_term_of_every_seed_survives(
    merged: MergeResult, seed_agents: list[Agent]
) -> None:
    for term in SEED_TERMS:
        assert contains_term(merged.text, term), term
    for agent in seed_agents:
        for bullet in agent.bullets:
            for term in named_terms(bullet.text):
                assert contains_term(merged.text, term), (term, bullet.text)


def test_body_is_at_most_85_percent_of_the_sources(
    merged: MergeResult, seed_agents: list[Agent]
) -> None:
    # Nothing lost comes before size: members whose words no line could state stay lines of
    # their own, so do short items naming a practice of their own (no "(Control objectives)"
    # details), items whose opening or examples say something else (no "(XSS)" after
    # parameterized queries), and steps keep their lists (0.59 when words were dropped; the
    # target is 0.6; 0.80 with junk details; 0.84 now, synonyms kept as written: "throttling").
    sources = sum(len(a.source.body) for a in seed_agents)
    assert len(body(merged.text)) <= 0.85 * sources


def test_no_content_word_of_a_seed_item_is_lost(
    merged: MergeResult, seed_agents: list[Agent]
) -> None:
    loss = word_loss(seed_agents, merged.text)
    assert loss.words_in > 1300 and loss.missing == ()
    for practice in ("denormaliz", "read replicas", "replication", "load balancing", "secret"):
        assert practice in merged.text.lower(), practice
    assert "short expiry" in merged.text and "refresh tokens" in merged.text


def test_details_of_other_phrasings_are_unioned(merged: MergeResult) -> None:
    caching = next(
        line for line in body(merged.text).splitlines() if "application-level caching" in line
    )
    for detail in ("Redis", "Memcached"):
        assert detail in caching
    # backend-specialist's own "When optimizing:" item keeps its list and its examples.
    assert "- Implement caching at appropriate layers (Redis, in-memory, CDN)" in merged.text
    assert body(merged.text).count("Implement rate limiting, throttling") <= 1


def test_a_member_with_examples_of_something_else_stays_a_line_of_its_own(
    merged: MergeResult,
) -> None:
    # "Specify indexing strategies, caching layers (Redis, Memcached), and query optimization"
    # joined the indexing line: its examples are of caching layers, which that line does not
    # speak of ("(caching layers: Redis, Memcached)" after "Add appropriate indexes").
    text = body(merged.text)
    assert "- Add appropriate indexes based on query patterns\n" in text
    assert (
        "- Specify indexing strategies, caching layers (Redis, Memcached), and query "
        "optimization techniques\n"
    ) in text


def test_details_of_a_member_kept_apart_are_not_grafted(merged: MergeResult) -> None:
    # The XSS advice is a line of its own; "(XSS)" after parameterized queries misled.
    text = body(merged.text)
    assert "- Use parameterized queries to prevent SQL injection\n" in text
    assert "XSS protection" in text


def test_a_member_no_detail_can_state_stays_a_line_of_its_own(merged: MergeResult) -> None:
    # Clustered with the CQRS line, the read-replica advice was lost; it is said as written.
    assert "- Consider read replicas and write/read splitting for scale\n" in merged.text


def test_a_line_of_two_topics_equally_sits_in_its_representatives(merged: MergeResult) -> None:
    # backend-architect's "Implement comprehensive health checks, logging, metrics, and
    # distributed tracing" (DevOps and Deployment) and backend-master's "Implement distributed
    # tracing and centralized logging" (Microservices & Architecture): the line, in the
    # first's words, sat under Architecture, the earlier topic (an editor's reading).
    deployment = next(s for s in merged.agent.sections if s.topic == "deployment")
    assert any(
        line.text.startswith("Implement comprehensive health checks, centralized logging")
        for merged_list in deployment.lists
        for line in walk(merged_list.lines)
    )


def test_a_plain_item_kept_apart_folds_into_a_lead_in_item_of_its_cluster(
    merged: MergeResult,
) -> None:
    # "Implement rate limiting, throttling, and API security measures" (a plain item) is
    # said by "When designing APIs:"'s rate limiting item, not once more beside it; its
    # "API security measures" is one more practice of the series, no gloss of rate limiting
    # ("(security measures)" read as "rate limiting is the security measure").
    text = body(merged.text)
    assert "- Plan for rate limiting, throttling and security measures\n" in text
    assert "- Implement rate limiting, throttling, and API security measures" not in text


def test_details_keep_their_subject_when_the_line_shares_only_a_word_of_it(
    merged: MergeResult,
) -> None:
    # "Understand data consistency requirements (eventual vs strong)" joined a line that
    # shares only "understand": it is a line of its own ("(eventual vs strong)" alone would
    # lose what it is about).
    assert "- Understand data consistency requirements (eventual vs strong)" in merged.text
    other = parse(loads("---\nname: b\n---\n- Provide execution plan (EXPLAIN) reviews\n", "b"))
    assert missing_details("Execution plans are analyzed", other.bullets) == ["EXPLAIN"]


def test_an_abbreviation_needs_no_subject() -> None:
    other = parse(loads("---\nname: b\n---\n- Track service level objectives (SLOs)\n", "b.md"))
    assert missing_details("Monitor dashboards", other.bullets) == ["SLOs"]


def test_structure_sections_fences_and_anti_patterns(merged: MergeResult) -> None:
    text = body(merged.text)
    titles = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    assert titles[0] == "Core Responsibilities" and titles[-1] == "Anti-Patterns to Avoid"
    assert text.count("## Implementation Plan") == 1  # the template, verbatim and once
    anti = text.split("## Anti-Patterns to Avoid", 1)[1]
    assert "- N+1 query problems" in anti
    assert text.count("You are ") == 1  # one opening, not five


def test_same_output_for_any_input_order() -> None:
    reference = merge([str(p) for p in SEEDS]).text
    for order in itertools.islice(itertools.permutations(SEEDS), 1, 120, 23):
        assert merge([str(p) for p in order]).text == reference


def test_merging_the_output_again_changes_nothing(merged: MergeResult, tmp_path: Path) -> None:
    out = tmp_path / "backend.md"
    out.write_text(merged.text)
    assert merge([str(out)]).text == merged.text


@needs_corpus
@pytest.mark.parametrize(
    "names",
    [
        # One agent's normalisation once joined two lines the four-agent merge kept apart.
        ("platform-engineer", "ansible-expert", "langchain-expert", "react-pro"),
        # A fence with an indented "```" inside once cost the next items their line numbers.
        ("opentelemetry-expert", "database-optimizer (data-ai)", "sales-engineer"),
    ],
)
def test_merging_a_corpus_merge_again_changes_nothing(
    corpus_agents: tuple[Agent, ...], names: tuple[str, ...]
) -> None:
    by_name = {a.name: a for a in corpus_agents}
    text = merge_agents([by_name[n] for n in names]).text
    assert merge_agents([parse(loads(text, "merged.md"))]).text == text


def test_an_agent_merged_with_itself_is_that_agent_normalised() -> None:
    path = str(SEEDS[0])
    alone = merge([path])
    assert merge([path, path]).text == alone.text
    assert alone.agent.stats.lines_out == alone.agent.stats.bullets_in == 30


def test_safety_net_refuses_a_broken_compose_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(consolidate_module, "missing_details", lambda text, others, unneeded: [])
    monkeypatch.setattr(
        consolidate_module,
        "complete",
        lambda line, others, unneeded: consolidate_module.Composed(line),
    )
    with pytest.raises(LossError, match=r"terms missing.*words missing"):
        merge([str(p) for p in SEEDS])


def test_provenance_names_sources_in_comments() -> None:
    text = merge([str(p) for p in SEEDS], provenance=True).text
    line = next(x for x in text.splitlines() if "application-level caching" in x)
    assert "<!-- backend-architect" in line or "<!-- backend-developer" in line


def test_model_name_and_field_rules() -> None:
    a = parse(
        loads("---\nname: api-rest\nmodel: haiku\ntools: Read, Grep\ncolor: blue\n---\n- x\n")
    )
    b = parse(loads("---\nname: api-graphql\nmodel: sonnet\ntools: [Grep, Agent(y)]\n---\n- y\n"))
    result = merge_agents([a, b])
    fields = dict(result.agent.frontmatter)
    assert fields["name"] == "api" and fields["model"] == "sonnet"
    assert fields["tools"] == "Grep, Agent(y), Read" and fields["color"] == "blue"
    c = parse(loads("---\nname: other\nmodel: inherit\n---\n- z\n"))
    d = parse(loads("---\nname: thing\nmodel: custom-llm\n---\n- w\n"))
    fields = dict(merge_agents([c, d]).agent.frontmatter)
    assert fields["model"] == "inherit" and fields["name"] == "other-merged"


@settings(max_examples=12, deadline=None)
@given(st.lists(st.sampled_from(SEEDS), min_size=1, max_size=5, unique=True), st.randoms())
def test_random_subsets_and_orders_never_lose_a_bullet(paths: list[Path], rng: object) -> None:
    shuffled = list(paths)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    result = merge([str(p) for p in shuffled])
    assert result.verification.ok
    assert result.text == merge([str(p) for p in sorted(paths)]).text


def test_every_paragraph_is_kept_with_its_markdown() -> None:
    source = loads(
        "---\nname: a\n---\n## Steps\n\nBefore implementing, always:\n\n- Read the code\n\n"
        "Extract path from: `[**name**](path)`\n\nSee the [guide](https://example.com/g).\n",
        "a.md",
    )
    other = loads("---\nname: b\n---\n## Steps\n\n- Read the code first\n", "b.md")
    text = merge_agents([parse(source), parse(other)]).text
    assert "Before implementing, always:" in text
    assert "Extract path from: `[**name**](path)`" in text
    assert "See the [guide](https://example.com/g)." in text


def renamed_copy(agent: Agent, name: str) -> Agent:
    return parse(replace(agent.source, alias=name, path=f"{agent.path}.copy"))


def test_an_agent_and_its_renamed_copy_merge_to_the_agent(seed_agents: list[Agent]) -> None:
    for agent in seed_agents:
        alone = merge_agents([agent]).text
        with_copy = merge_agents([agent, renamed_copy(agent, "studio-" + agent.name)])
        assert body(with_copy.text) == body(alone)
        assert any("same body" in note for note in with_copy.notes)


def test_a_set_with_copies_of_its_members_merges_as_the_set(seed_agents: list[Agent]) -> None:
    plain = merge_agents(seed_agents, options=MergeOptions(name="backend")).text
    copies = [renamed_copy(a, a.name + "-copy") for a in seed_agents[:2]]
    doubled = merge_agents([*seed_agents, *copies], options=MergeOptions(name="backend")).text
    assert doubled == plain


@needs_corpus
def test_every_corpus_agent_with_a_renamed_copy_merges_to_itself(
    corpus_agents: tuple[Agent, ...],
) -> None:
    # A sample of the corpus in the suite; all 335 hold (checked by hand, 16 s).
    for agent in corpus_agents[::15]:
        alone = merge_agents([agent]).text
        assert body(merge_agents([agent, renamed_copy(agent, "copy")]).text) == body(alone)


def test_the_name_is_the_word_every_source_name_shares() -> None:
    names = [
        "backend-architect",
        "backend-developer",
        "studio-backend-architect",
        "backend-master",
    ]
    assert merged_name(names, []) == "backend"
    assert merged_name(["api-designer", "graphql-api-expert"], []) == "api"
    roles = ["deployment-engineer", "devops-engineer", "deployment-engineer"]
    assert merged_name(roles, []) == "deployment-devops-engineer"  # not just "engineer"
    assert merged_name(roles[::-1], []) == "deployment-devops-engineer"  # in any order
    many = ["a-engineer", "b-engineer", "c-engineer"]
    assert merged_name(many, []) == "engineer"
    # Many subjects, one name twice: that name (an editor read "engineer" as a name other
    # agents would not find); the shared words that are a whole name: that name.
    ml = ["machine-learning-engineer", "ml-engineer", "mlops-engineer", "ml-engineer"]
    assert merged_name(ml, []) == "ml-engineer"
    incident = ["incident-responder", "devops-incident-responder"] * 2
    assert merged_name(incident, []) == "incident-responder"
    # A word one name writes longer ("postgresql") is still the word the others share.
    postgres = ["postgres-expert", "postgresql-pglite-pro", "postgres-pro"]
    assert merged_name(postgres, []) == "postgres"
    # Nothing every name has: the words most have (an editor read "terraform-expert-merged"
    # as mislabelling two cloud architects and a Terraform expert).
    clouds = ["terraform-expert", "cloud-architect", "cloud-architect"]
    assert merged_name(clouds, []) == "cloud-architect"
    # Nothing most have: the name most sources have, else the first in order of the alphabet,
    # whatever order the sources come in.
    warnings: list[str] = []
    assert merged_name(["jest-expert", "cypress-pro"], warnings) == "cypress-pro-merged"
    assert merged_name(["jest-expert", "cypress-pro"][::-1], warnings) == "cypress-pro-merged"
    docs = ["technical-writer", "api-documenter", "documentation-expert", "api-documenter"]
    assert merged_name(docs, warnings) == "api-documenter-merged"
    assert warnings


def test_examples_can_be_all_or_a_number(seed_agents: list[Agent]) -> None:
    every = merge_agents(seed_agents, options=MergeOptions(examples=None)).agent
    two = merge_agents(seed_agents, options=MergeOptions(examples=2)).agent
    assert str(dict(every.frontmatter)["description"]).count("<example>") == 17
    assert str(dict(two.frontmatter)["description"]).count("<example>") == 2


def test_a_merge_keeps_both_opposite_stances_and_warns() -> None:
    a = parse(loads("---\nname: db-a\n---\n- Always use ORMs for database access\n", "db-a.md"))
    b = parse(loads("---\nname: db-b\n---\n- Never use ORMs for database access\n", "db-b.md"))
    result = merge_agents([a, b], provenance=True)
    assert "- Always use ORMs for database access <!-- db-a -->" in result.text
    assert "- Never use ORMs for database access <!-- db-b -->" in result.text
    assert any(n.startswith("conflict: db-b:4 forbids what db-a:4") for n in result.notes)


LINKED = """---
name: api-a
description: APIs.
---

Follow the [style guide][sg] for all APIs.

## Practices

- Validate requests with [JSON Schema](https://json-schema.org)
- Use the [sg] conventions for naming

[sg]: https://example.com/style "Style"
"""


def test_link_reference_definitions_survive_a_merge() -> None:
    text = merge_agents([parse(loads(LINKED, "api-a.md"))]).text
    assert text.endswith('\n[sg]: https://example.com/style "Style"\n')
    assert "Follow the [style guide][sg] for all APIs." in text


def test_a_link_is_kept_when_its_line_merges_with_a_plain_one() -> None:
    plain = "---\nname: api-b\n---\n- Validate all incoming API requests against JSON Schema first"
    result = merge_agents([parse(loads(LINKED, "api-a.md")), parse(loads(plain, "api-b.md"))])
    assert result.agent.stats.clusters_merged == 1
    assert "against [JSON Schema](https://json-schema.org) first" in result.text


def test_one_label_defined_apart_is_refused_naming_the_definition_it_would_lose() -> None:
    other = "---\nname: api-b\n---\n- Use the [sg] layout\n\n[SG]: https://other.example\n"
    agents = [parse(loads(LINKED, "api-a.md")), parse(loads(other, "api-b.md"))]
    with pytest.raises(LossError, match=r"link targets missing: \[SG\]: https://other.example"):
        merge_agents(agents)


def test_the_safety_net_refuses_a_merge_that_drops_a_link_target() -> None:
    agent = parse(loads(LINKED, "api-a.md"))
    result = merge_agents([agent])
    dropped = result.text.replace("(https://json-schema.org)", "")
    verification = verify(result.clustering, result.agent, dropped)
    assert verification.missing_links == ("https://json-schema.org (api-a:10)",)
    assert not verification.ok


def described(name: str, description: str) -> Agent:
    text = f"---\nname: {name}\ndescription: {description}\n---\n- Own {name} practice\n"
    return parse(loads(text, name))


def test_a_source_name_that_is_a_word_is_renamed_only_where_it_names_the_agent() -> None:
    api = described("api", "Designs the public api. Use the api agent for endpoints, or `api`.")
    cache = described("cache", "Tunes the cache layer; ask @cache.")
    fields = dict(
        merge_agents([api, cache], options=MergeOptions(name="backend")).agent.frontmatter
    )
    description = str(fields["description"])
    assert "Designs the public api." in description
    assert "Use the backend agent for endpoints, or `backend`." in description
    assert "Tunes the cache layer; ask @backend." in description


def test_merged_description_leads_end_their_sentences() -> None:
    a = described("api-a", "Backend expert for REST services and gateways")
    b = described("api-b", "Handles GraphQL schemas, resolvers and federation")
    fields = dict(merge_agents([a, b]).agent.frontmatter)
    assert fields["description"] == (
        "Backend expert for REST services and gateways. "
        "Handles GraphQL schemas, resolvers and federation."
    )


def test_every_line_under_a_lead_in_was_written_under_it(merged: MergeResult) -> None:
    by_id = {c.id: c for c in merged.clustering.clusters}
    headed = 0
    for section in merged.agent.sections:
        for merged_list in section.lists:
            if merged_list.lead_in is None:
                continue
            for line in merged_list.lines:
                headed += 1
                # The member the line is written in: its opening, then its other items and
                # other members' (as items of its series or details in parentheses).
                members = by_id[line.cluster].members
                written = max(
                    (m for m in members if line.text.startswith(list_parts(m.markdown)[0])),
                    key=lambda m: (line.text.startswith(m.markdown.rstrip(")")), len(m.markdown)),
                )
                # Its own lead-in, or for a numbered list the title it was written under.
                lead_in = written.lead_in or (written.section if written.ordered else None)
                assert lead_in is not None, line.text
                assert _key(lead_in) == _key(merged_list.lead_in), line.text
    assert headed >= 60  # backend-specialist's ten lead-ins, backend-developer's three ...


def _key(lead_in: str) -> str:
    # A sub-section's title before its lead-in ("**Requirements Analysis.** Before
    # implementing, always:") is no part of it.
    return " ".join(re.sub(r"^\*\*[^*]+\.\*\* ", "", lead_in).lower().rstrip(":").split())


def test_a_ranked_list_stays_whole_and_in_order(merged: MergeResult) -> None:
    ranks = merged.text.split("Your approach prioritizes:\n\n", 1)[1].split("\n\n", 1)[0]
    assert [line.split(" - ")[0] for line in ranks.splitlines()] == [
        "1. Security",
        "2. Performance",
        "3. Maintainability",
        "4. Reliability",
        "5. Simplicity",
    ]


def test_lead_ins_are_never_stacked(merged: MergeResult) -> None:
    blocks = merged.text.split("\n\n")
    for first, second in itertools.pairwise(blocks):
        assert not (first.rstrip().endswith(":") and second.rstrip().endswith(":")), second


@pytest.mark.parametrize(
    ("tools", "expected"),
    [
        ("union", None),  # backend-architect omits tools: every tool, with a warning
        ("intersection", "Read, Grep, Glob"),
        ("Read, Grep", "Read, Grep"),
    ],
)
def test_tools_policy_decides_when_sources_disagree(tools: str, expected: str | None) -> None:
    def agent(name: str, fields: str) -> Agent:
        text = f"---\nname: {name}\n{fields}---\n- Own {name} practice\n"
        return parse(loads(text, f"{name}.md"))

    agents = [
        agent("api-a", "tools: Read, Grep, Glob, Bash\n"),
        agent("api-b", "tools: Read, Grep, Glob, Edit\n"),
        agent("api-c", ""),
    ]
    if tools == "intersection":
        agents = agents[:2]
    result = merge_agents(agents, options=MergeOptions(tools=tools))
    assert dict(result.agent.frontmatter).get("tools") == expected
    widened = any("tools widened" in n for n in result.notes)
    assert widened is (tools == "union")


def test_work_with_a_partner_this_merge_includes_is_kept_and_named() -> None:
    # VoltAgent's react-specialist "Collaborate with frontend-developer on UI patterns",
    # merged with frontend-developer: an editor read it as a stale reference.
    def agent(name: str, item: str) -> Agent:
        return parse(loads(f"---\nname: {name}\n---\n- {item}\n", f"{name}.md"))

    result = merge_agents(
        [
            agent("react-specialist", "Collaborate with frontend-developer on UI patterns"),
            agent("frontend-developer", "Build accessible components"),
        ]
    )
    assert "- Collaborate with frontend-developer on UI patterns\n" in result.text
    assert any(
        n.startswith("react-specialist:4 names frontend-developer, which this merge includes")
        for n in result.notes
    )
    # Named as covering reads names: "the api agent", not the word "api".
    result = merge_agents(
        [agent("api", "Design the api layer"), agent("docs", "Ask the api agent")]
    )
    assert [n for n in result.notes if "which this merge includes" in n] == [
        "docs:4 names api agent, which this merge includes ('Ask the api agent')"
    ]


def test_a_union_of_listed_tools_names_what_each_source_lacked() -> None:
    def agent(name: str, tools: str) -> Agent:
        return parse(loads(f"---\nname: {name}\ntools: {tools}\n---\n- Own {name} item\n", name))

    auditor, engineer = agent("auditor", "Read, Grep, Glob"), agent("engineer", "Read, Bash, Edit")
    result = merge_agents([auditor, engineer])
    assert dict(result.agent.frontmatter)["tools"] == "Read, Grep, Glob, Bash, Edit"
    assert any(
        "tools widened" in n
        and "auditor lacked Bash, Edit" in n
        and "engineer lacked Grep, Glob" in n
        for n in result.notes
    )
    # A source that lists every tool the others list widens nothing.
    assert not any("tools" in n for n in merge_agents([auditor, auditor]).notes)


def test_listed_tools_that_do_the_work_are_kept_beside_a_source_listing_none() -> None:
    # lst97's mobile-developer lists Read ... Bash and more, 0xfurai's flutter-expert lists
    # none (all tools): every editor read the dropped allowlist as lost. Listed tools that
    # include every working tool are kept, and the warning says how to keep every tool.
    def agent(name: str, fields: str) -> Agent:
        text = f"---\nname: {name}\n{fields}---\n- Own {name} practice\n"
        return parse(loads(text, f"{name}.md"))

    lister = agent("mobile-a", "tools: Read, Write, Edit, Bash, Glob, Grep, WebSearch\n")
    result = merge_agents([lister, agent("mobile-b", "")])
    tools = "Read, Write, Edit, Bash, Glob, Grep, WebSearch"
    assert dict(result.agent.frontmatter)["tools"] == tools
    assert any("mobile-b omit 'tools'" in n and "--tools all" in n for n in result.notes)
    every = merge_agents([lister, agent("mobile-b", "")], options=MergeOptions(tools="all"))
    assert "tools" not in dict(every.agent.frontmatter)


def test_two_sources_copies_of_one_ranked_list_are_one_list() -> None:
    ranks = "When several solutions exist, prioritize:\n\n1. **Testability**\n2. **Simplicity**\n"
    agents = [
        parse(loads(f"---\nname: {n}\n---\n## Principles\n\n- Own {n} item\n\n{ranks}", n))
        for n in ("ui-a", "ui-b")
    ]
    text = merge_agents(agents).text
    assert text.count("Testability") == 1
    assert "prioritize:\n\n1. **Testability**\n2. **Simplicity**\n" in text


def test_a_lead_in_that_repeats_its_heading_is_not_written_twice() -> None:
    body = "## Audit evidence\n\nAudit evidence:\n\n- Policy documents\n- Test results\n"
    agent = parse(loads(f"---\nname: audit\n---\n{body}", "audit.md"))
    text = merge_agents([agent]).text
    assert "## Audit evidence\n\n- Policy documents" in text
    assert "Audit evidence:" not in text


def test_what_the_agent_knows_before_any_heading_is_with_what_it_does() -> None:
    # VoltAgent lists what its agent knows ("Feature engineering:") before any heading; of
    # no topic, each list was a "## Feature engineering" section of its own, some fifteen
    # in a merge. They are written in Core Responsibilities, under their lead-ins.
    body = "Feature engineering:\n\n- Feature stores\n- Online features\n"
    agent = parse(loads(f"---\nname: ml\n---\n{body}", "ml.md"))
    text = merge_agents([agent]).text
    assert "## Core Responsibilities\n\nFeature engineering:\n\n- Feature stores\n" in text


def test_numbered_lists_keep_the_titles_they_were_written_under(merged: MergeResult) -> None:
    # Two procedures in one merged section stay two lists, each named as its source named it.
    text = body(merged.text)
    assert "Your Approach:\n\n1. Always ask clarifying questions" in text
    assert "Decision-Making Framework:\n\n1. Always prioritize security" in text
    assert "When Providing Solutions:\n\n1. " in text


def test_a_nested_list_keeps_its_items_under_their_parent(merged: MergeResult) -> None:
    # Its items had joined lines elsewhere, and two were left loose at the top of Workflow.
    expected = """3. **Implementation**: Provide complete, production-ready code with:
   - Proper error handling and validation
   - Security considerations addressed
   - Performance optimizations where relevant"""
    assert expected in merged.text
    start = merged.text.index("3. **Implementation**")
    nested = merged.text[start:].split("\n4. ")[0]
    for item in ("Comments explaining complex logic", "Database migrations", "Example API"):
        assert item in nested


def test_members_kept_apart_to_one_list_are_one_line_there(merged: MergeResult) -> None:
    # Their cluster's line sits under "For database work:"; the three plain phrasings of it
    # were three lines of the plain list.
    text = body(merged.text)
    assert text.count("migrations and version control") == 1


def test_a_paragraph_never_sits_right_above_a_list_it_does_not_introduce() -> None:
    agents = [
        parse(
            loads(
                "---\nname: a-x\n---\n## Tasks\n\nYour task is to build UI.\n\n- Use Hooks\n", "a"
            )
        ),
        parse(loads("---\nname: a-y\n---\n## Tasks\n\n- Write unit tests\n", "b")),
    ]
    text = merge_agents(agents).text
    assert text.index("- Use Hooks") < text.index("Your task is to build UI.")


def test_proactively_stays_with_each_case_that_says_it() -> None:
    # Said once, a second source's proactive case ("when developing new UI features") lost
    # it, and two editors read the agent as no longer told to step in unasked there.
    descriptions = (
        "A TypeScript expert. Use PROACTIVELY for architectural design and refactoring.",
        "Expert TypeScript developer. Use PROACTIVELY for type system optimization work.",
    )
    agents = [
        parse(loads(f"---\nname: ts-{k}\ndescription: {d}\n---\n- Use {k}\n", f"{k}.md"))
        for k, d in enumerate(descriptions)
    ]
    description = str(dict(merge_agents(agents).agent.frontmatter)["description"])
    assert description.count("PROACTIVELY") == 2
    assert "\n- PROACTIVELY for architectural design and refactoring." in description


def merged_description_of(first: str, second: str) -> object:
    """The merged description of two agents described as first and second."""
    agents = [
        parse(loads(f"---\nname: react-{n}\ndescription: {d}\n---\n- {b}\n", f"{n}.md"))
        for n, d, b in (("a", first, "Use hooks"), ("b", second, "Use memo"))
    ]
    return dict(merge_agents(agents).agent.frontmatter)["description"]


def test_a_merged_description_has_one_persona_and_one_trigger() -> None:
    first = "An expert React developer for web apps. Use PROACTIVELY for new React components."
    second = (
        "Acts as a senior frontend engineer and AI pair programmer. Builds accessible "
        "components with clean architecture and tests. Use when optimizing existing React "
        "applications for performance."
    )
    assert merged_description_of(first, second) == (
        "Acts as a senior frontend engineer and AI pair programmer. Builds accessible "
        "components with clean architecture and tests. Use this agent:\n- when optimizing "
        "existing React applications for performance\n- PROACTIVELY for new React components."
    )


def test_a_sentence_asking_to_be_called_unasked_stays() -> None:
    # lst97's architect-review opens "Proactively reviews code for architectural
    # consistency, ...": its words said elsewhere, the sentence was dropped with the cue.
    first = "Reviews React code for quality and maintainability. Use after writing components."
    second = "Proactively reviews React code for quality. Use after writing components."
    assert "Proactively reviews React code for quality." in str(
        merged_description_of(first, second)
    )


def test_a_trigger_routes_by_words_a_persona_named_and_no_sentence_wrote() -> None:
    # lst97's frontend-developer: "Acts as a senior frontend engineer ..." adds nothing beside
    # react-pro's trigger, and its "frontend" counted as said: its trigger "... or addressing
    # complex frontend challenges" was left out, and "frontend" with it (here, shortened).
    first = (
        "An expert React developer building modern, performant web applications with hooks and"
        " context. Use PROACTIVELY for new React components."
    )
    second = (
        "Acts as a senior frontend engineer. Use PROACTIVELY when addressing frontend components."
    )
    assert merged_description_of(first, second) == (
        "An expert React developer building modern, performant web applications with hooks and"
        " context. Use this agent:\n- PROACTIVELY for new React components\n- PROACTIVELY when"
        " addressing frontend components."
    )


def invoked(name: str, *steps: str) -> Agent:
    """An agent whose body is a "When invoked:" procedure of these steps."""
    numbered = "".join(f"{k}. {step}\n" for k, step in enumerate(steps, start=1))
    return parse(loads(f"---\nname: {name}\n---\nWhen invoked:\n{numbered}", f"{name}.md"))


def numbered_lines(text: str) -> list[str]:
    return [line for line in body(text).splitlines() if line[:1].isdigit()]


def test_two_procedures_under_one_lead_in_merge_step_by_step() -> None:
    # VoltAgent's qa-expert and test-automator: only step 1 says the same thing.
    qa = invoked(
        "qa",
        "Query context manager for quality requirements and application details",
        "Review existing test coverage, defect patterns, and quality metrics",
        "Analyze testing gaps, risks, and improvement opportunities",
        "Implement comprehensive quality assurance strategies",
    )
    automator = invoked(
        "automator",
        "Query context manager for application architecture and testing requirements",
        "Review existing test coverage, manual tests, and automation gaps",
        "Analyze testing needs, technology stack, and CI/CD pipeline",
        "Implement robust test automation solutions",
    )
    result = merge_agents([qa, automator])
    # Step n of each source is one step: the opening said once, every item of both kept, the
    # first source's (by name) first.
    assert numbered_lines(result.text) == [
        "1. Query context manager for application architecture, testing requirements, quality "
        "requirements and application details",
        "2. Review existing test coverage, manual tests, automation gaps, defect patterns, and "
        "quality metrics",
        "3. Analyze testing needs, gaps, technology stack, CI/CD pipeline, risks, and "
        "improvement opportunities",
        "4. Implement robust test automation solutions and comprehensive quality assurance "
        "strategies",
    ]
    assert result.verification.ok


def test_steps_that_say_more_than_a_series_stay_apart() -> None:
    # VoltAgent's deployment-engineer and devops-engineer: "while ensuring safety" is a
    # clause, no item; the two step 4s are one step, each source's way of ending, after
    # "or" (three editors read two last steps as done one after another).
    first = invoked(
        "deploy",
        "Review existing CI/CD processes, deployment frequency, and failure rates",
        "Implement solutions maximizing deployment velocity while ensuring safety",
    )
    second = invoked(
        "devops",
        "Review existing automation, deployment processes, and team workflows",
        "Implement solutions improving efficiency, reliability, and team productivity",
    )
    assert numbered_lines(merge_agents([first, second]).text) == [
        "1. Review existing CI/CD processes, automation, deployment frequency, failure rates, "
        "deployment processes, and team workflows",
        # Their shared opening once (two editors read "implement solutions" again as clumsy).
        "2. Implement solutions maximizing deployment velocity while ensuring safety, and "
        "improving efficiency, reliability, and team productivity",
    ]


@needs_corpus
def test_a_step_kept_apart_follows_the_step_of_its_number() -> None:
    # VoltAgent's incident responders: incident-responder's step 2 "Review existing incident
    # history, ..." clustered with a checklist's "Response plan review"; its step 3 joined
    # the other's step 3, and step 2 was written after it, as step 4.
    folder = CORPUS / "VoltAgent+awesome-claude-code-subagents/categories/03-infrastructure"
    result = merge(
        [str(folder / "devops-incident-responder.md"), str(folder / "incident-responder.md")]
    )
    steps = body(result.text).split("When invoked:", 1)[1].split("\n\n")[1].splitlines()
    assert [step.split()[1] for step in steps] == ["Query", "Review", "Analyze", "Implement"]
    assert "existing incident history" in steps[1]


def test_a_participle_clause_takes_no_other_steps_items() -> None:
    # VoltAgent's ml agents: "Implement solutions ensuring optimal performance, reliability,
    # robust ML engineering solutions, ..." read as the solutions ensuring solutions.
    sources = [
        invoked("ml-a", "Implement solutions ensuring optimal performance and reliability"),
        invoked("ml-b", "Implement robust ML engineering solutions"),
        invoked("ml-c", "Implement robust MLOps solutions and platforms"),
    ]
    assert numbered_lines(merge_agents(sources).text) == [
        "1. Implement solutions ensuring optimal performance and reliability, and implement "
        "robust ML engineering solutions, MLOps solutions and platforms",
    ]


def test_clause_details_with_one_opening_word_are_one_clause() -> None:
    assert (
        consolidate_module.with_details(
            "Optimize database performance", ["for performance", "for scalability"]
        )
        == "Optimize database performance (for performance and scalability)"
    )


def test_another_members_items_join_the_lines_series(merged: MergeResult) -> None:
    # "Design auto-scaling policies and resource allocation strategies" lends its item to the
    # load-balancing line; "Design data backup, recovery, and replication strategies" its
    # item to the series of strategies; neither as a parenthesis that reads as examples.
    # "Plan for data migration" is a statement of its own, not "(for data migration)".
    text = body(merged.text)
    assert "- Implement load balancing, auto-scaling mechanisms and resource allocation" in text
    assert "- Design data archiving, backup, disaster recovery, and replication strategies\n" in (
        text
    )
    assert "- Plan for data migration and backup strategies\n" in text
    assert "- Designing clean, maintainable API architectures (REST, GraphQL, gRPC)\n" in text


PHASES = """---
name: {name}
---
## Development Workflow

Execute {work} through systematic phases:

### 1. Database Analysis

Assess current {work}.

Analysis priorities:
- Performance baseline
- Query patterns

### 2. Implementation Phase

Optimize the {work}.

Implementation approach:
- Design indexes
- Tune queries
"""


def test_a_phase_s_sentences_stay_with_its_lists() -> None:
    agents = [
        parse(loads(PHASES.format(name=name, work=work), f"{name}.md"))
        for name, work in (("pg", "PostgreSQL optimization"), ("my", "MySQL tuning"))
    ]
    text = body(merge_agents(agents).text)
    workflow = text[text.index("## Workflow") :]
    # The phases' sentences are written right before the lists they introduce, in order, not
    # after every list, and the analysis lists stay in the workflow, not in Data and Storage.
    # Two sources' sentences in one frame are one sentence.
    assert workflow.startswith(
        "## Workflow\n\n"
        "Execute MySQL tuning and PostgreSQL optimization through systematic phases:\n\n"
        "**1. Database Analysis.** Assess current MySQL tuning and PostgreSQL optimization.\n\n"
        "Analysis priorities:\n\n- Performance baseline\n- Query patterns\n\n"
        # The phase's heading is not written; its name, numbered, opens its sentence, once.
        "**2. Implementation Phase.** Optimize the MySQL tuning and PostgreSQL optimization.\n\n"
        "Implementation approach:\n"
    )
    assert "## Data and Storage" not in text


def test_three_sources_procedures_are_introduced_as_one_series() -> None:
    works = (("a", "ML deployment"), ("b", "ML engineering"), ("c", "MLOps implementation"))
    agents = [parse(loads(PHASES.format(name=n, work=w), f"{n}.md")) for n, w in works]
    text = body(merge_agents(agents).text)
    # Not "ML deployment and engineering and MLOps implementation".
    assert (
        "Execute ML deployment, engineering and MLOps implementation through systematic phases:"
        in text
    )


def test_one_phase_s_sentences_with_one_opening_are_one_sentence() -> None:
    # VoltAgent's excellence phases, merged: "Achieve world-class ML systems. Achieve
    # world-class ML platform." read as one thing said twice.
    phase = "## Workflow\n\nExecute {w} through systematic phases:\n\n### 3. ML Excellence\n\n"
    agents = [
        parse(
            loads(f"---\nname: {n}\n---\n{phase.format(w=w)}{s}\n\n{lead}:\n- {item}\n", f"{n}.md")
        )
        for n, w, s, lead, item in (
            ("ml", "ML work", "Achieve world-class ML systems.", "Excellence checklist", "Fast"),
            ("ops", "MLOps", "Achieve world-class ML platform.", "Excellence checklist", "Safe"),
        )
    ]
    text = body(merge_agents(agents).text)
    assert "**ML Excellence.** Achieve world-class ML systems and platform.\n" in text


def test_a_second_persona_s_scope_is_one_more_case() -> None:
    automator = (
        "A Test Automation Specialist building robust test suites and CI/CD test pipelines. "
        "Use PROACTIVELY for improving test coverage."
    )
    qa = (
        "A sophisticated AI Quality Assurance (QA) Expert for managing comprehensive QA "
        "processes and quality metrics. Use PROACTIVELY for developing testing strategies."
    )
    agents = [
        parse(loads(f"---\nname: {n}\ndescription: {d}\n---\n- {b}\n", f"{n}.md"))
        for n, d, b in (("automator", automator, "Automate tests"), ("qa", qa, "Track defects"))
    ]
    description = str(dict(merge_agents(agents).agent.frontmatter)["description"])
    # One persona, and the other's scope still routes: "QA processes and quality metrics".
    assert description.count("Specialist") + description.count("Expert") == 1
    assert "\n- for managing comprehensive QA processes and quality metrics" in description


@pytest.fixture(scope="module")
def postgres() -> str:
    """The body of the merge of the three collections' postgres agents."""
    if not CORPUS.is_dir():
        pytest.skip("needs ../shared/corpus")
    paths = [
        CORPUS / "VoltAgent+awesome-claude-code-subagents/categories/05-data-ai/postgres-pro.md",
        CORPUS / "lst97+claude-code-sub-agents/agents/data-ai/postgres-pro.md",
        CORPUS / "0xfurai+claude-code-subagents/agents/postgres-expert.md",
    ]
    return body(merge([str(p) for p in paths]).text)


@pytest.fixture(scope="module")
def voltagent_qa() -> MergeResult:
    """The merge of VoltAgent's qa-expert and test-automator."""
    if not CORPUS.is_dir():
        pytest.skip("needs ../shared/corpus")
    sources = [
        next(CORPUS.glob(f"VoltAgent*/**/{name}.md")) for name in ("qa-expert", "test-automator")
    ]
    return merge([str(path) for path in sources])


def section_of(text: str, title: str) -> str:
    """The text of the merged section titled title, up to the next heading."""
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_an_entry_of_a_list_of_short_entries_stays_in_its_list(postgres: str) -> None:
    # "Design indexes" is a step of VoltAgent's "Implementation approach:"; the indexing
    # lines of the other postgres agents say its words, but not that it is a step.
    approach = postgres[postgres.index("Implementation approach:") :].split("\n\n")[1]
    assert "- Design indexes" in approach.splitlines()


def test_reference_sections_come_before_the_deliverables(postgres: str) -> None:
    # VoltAgent's "Advanced features:" and "Extension usage:" (titles no topic names)
    # sat after "## Output Format", which closes an agent.
    assert postgres.index("\nExtension usage:\n") < postgres.index("\n## Output Format\n")


def test_a_checklist_heading_is_the_lead_in_of_its_items(postgres: str) -> None:
    # 0xfurai's "## Quality Checklist" items are criteria, not the practices of its topic:
    # they stay one list under that name, not loose among "Focus Areas".
    criteria = postgres.split("\nQuality Checklist:\n\n", 1)[1].split("\n\n", 1)[0]
    assert criteria.splitlines()[:2] == [
        "- Queries are optimized for minimal execution time",
        "- Indexes are appropriately used and maintained",
    ]
    assert len(criteria.splitlines()) == 10


def test_a_deliverable_kept_apart_from_a_practice_stays_a_deliverable(postgres: str) -> None:
    # "Reports on periodic health checks ..." (## Output) is like "Conduct regular database
    # health checks ..." (## Approach) but is a deliverable: written among the deliverables.
    output, workflow = section_of(postgres, "Output Format"), section_of(postgres, "Workflow")
    for deliverable in (
        "- Reports on periodic health checks and maintenance activities\n",
        "- Performance benchmarking results before and after optimizations\n",
    ):
        assert deliverable in output and deliverable not in workflow
    assert "- Conduct regular database health checks and maintenance\n" in workflow
    # Nor is a deliverable a detail of a practice or a criterion ("Backup and recovery plans
    # are tested and documented" took it as one, and the deliverables lost it).
    assert "- Backup and recovery strategy documentation\n" in output


def test_two_entries_of_one_list_are_two_unless_one_says_the_other() -> None:
    metrics = "---\nname: {n}\n---\nQuality metrics:\n- Mean time to {what}\n- Test coverage\n"
    agents = [
        parse(loads(metrics.format(n=n, what=what), f"{n}.md"))
        for n, what in (("qa", "detect"), ("ops", "resolve"))
    ]
    text = body(merge_agents(agents).text)
    assert "- Mean time to detect\n" in text and "- Mean time to resolve\n" in text
    assert text.count("- Test coverage") == 1


@needs_corpus
def test_a_copy_of_a_member_kept_apart_lends_no_details() -> None:
    # Both lst97 agents say "Ensure all new logic is covered by a suite of unit, integration,
    # and E2E tests"; one copy is a line of its own, the other lent "(E2E)" to VoltAgent's
    # "Integration testing", which is not end-to-end testing.
    paths = [
        CORPUS / "VoltAgent+awesome-claude-code-subagents/categories/04-quality-security" / name
        for name in ("qa-expert.md", "test-automator.md")
    ] + [
        CORPUS / "lst97+claude-code-sub-agents/agents/quality-testing" / name
        for name in ("qa-expert.md", "test-automator.md")
    ]
    text = body(merge([str(p) for p in paths]).text)
    assert "- Integration testing\n" in text
    assert "Integration testing (E2E)" not in text


@pytest.mark.parametrize(
    ("line", "parts", "written"),
    [
        (
            "Include comprehensive error handling",
            ["business exception strategies"],
            "Include comprehensive error handling and business exception strategies",
        ),
        # Examples stay with what they are examples of.
        (
            "Use database query optimization (EXPLAIN plans, query hints)",
            ["performance tuning"],
            "Use database query optimization (EXPLAIN plans, query hints) and performance tuning",
        ),
        # No series: a sentence, a choice, a clause, verbs, a phrase ending "where relevant".
        (
            "Data redundancy is minimized and integrity is enforced",
            ["referential integrity"],
            "Data redundancy is minimized and integrity is enforced (referential integrity)",
        ),
        (
            "Use role-based access control (RBAC) or attribute-based (ABAC)",
            ["permission systems"],
            # "(ABAC)" names a thing: "(ABAC, permission systems)" would call them ABAC.
            "Use role-based access control (RBAC) or attribute-based (ABAC), and permission "
            "systems",
        ),
        # An item joins the opening's object, before the clause that follows it.
        (
            "Implement connection pooling for database and external services",
            ["resource management"],
            "Implement connection pooling and resource management for database and external "
            "services",
        ),
        (
            "Design and implement RESTful APIs",
            ["API gateways"],
            "Design and implement RESTful APIs (API gateways)",
        ),
        (
            "Performance optimizations where relevant",
            ["scalability planning"],
            "Performance optimizations where relevant (scalability planning)",
        ),
        # One head noun: "horizontal and vertical scaling".
        (
            "Design for horizontal scaling when needed",
            ["vertical scaling"],
            "Design for horizontal and vertical scaling when needed",
        ),
        # A term the lexicon reads across "and" stays whole.
        (
            "Create thorough unit and integration tests",
            ["load tests"],
            "Create thorough unit and integration tests (load tests)",
        ),
        # A qualifier of a phrase the line says goes before it.
        (
            "Start with threat modeling",
            ["security requirements", "initial threat modeling"],
            "Start with initial threat modeling and security requirements",
        ),
        # The opening's object is a phrase too; the opening verb is no modifier
        # ("Designing and scalable microservices").
        (
            "**System Architecture:** Designing microservices and distributed systems",
            ["scalable microservices"],
            "**System Architecture:** Designing scalable microservices and distributed systems",
        ),
        (
            "Implement comprehensive health checks, logging, metrics, and distributed tracing",
            ["centralized logging"],
            "Implement comprehensive health checks, centralized logging, metrics, and "
            "distributed tracing",
        ),
        # A label heads its series: one item joins it, more would read as another list.
        (
            "playwright: Automated browser testing, E2E test execution, visual validation",
            ["cross-browser validation"],
            "playwright: Automated browser testing, E2E test execution, visual and cross-browser "
            "validation",
        ),
        (
            "magic: Generate modern React components, design system integration, UI patterns",
            ["refine existing components", "Frontend component generation"],
            "magic: Generate modern React components, design system integration, UI patterns "
            "(refine existing components, Frontend component generation)",
        ),
        # A clause opening with the word of the line's last clause continues it, its head
        # noun said once.
        # ... or with the line: "concurrent" of "optimize concurrency".
        (
            "Design asynchronous patterns and optimize concurrency for throughput",
            ["for concurrent request handling"],
            "Design asynchronous patterns and optimize concurrency for throughput and "
            "concurrent request handling",
        ),
        (
            "Document with OpenAPI/Swagger specifications",
            ["with clear endpoint specifications"],
            "Document with OpenAPI/Swagger and clear endpoint specifications",
        ),
        (
            "Follow RESTful conventions with proper HTTP methods and status codes",
            ["with proper HTTP semantics"],
            "Follow RESTful conventions with proper HTTP methods, status codes and semantics",
        ),
        (
            "Query context manager for quality requirements and application details",
            ["for application architecture", "testing requirements"],
            "Query context manager for quality requirements, application details, application "
            "architecture and testing requirements",
        ),
        # A verb and the clause it opens are one item: "rate limiting, throttling and API
        # security measures", not "(API security measures)" read as a gloss.
        (
            "Plan for rate limiting and throttling",
            ["API security measures"],
            "Plan for rate limiting, throttling and API security measures",
        ),
        # ... unless the two say different kinds of thing: a purpose, and what it is for.
        (
            "Structure applications for seamless CI/CD pipeline integration",
            ["for backend services"],
            "Structure applications for seamless CI/CD pipeline integration (for backend services)",
        ),
        (
            "Work with kubernetes-specialist on K8s deployments",
            ["with kubernetes-specialist on container platforms"],
            "Work with kubernetes-specialist on K8s deployments (with kubernetes-specialist on "
            "container platforms)",
        ),
        # An item's opening word qualifies its own item, not after another qualifier
        # ("Systematic Complex incident analysis"); a lower-case one does.
        (
            "sequential-thinking: Systematic incident analysis, structured response planning",
            ["Complex incident analysis"],
            "sequential-thinking: Systematic incident analysis, structured response planning "
            "and Complex incident analysis",
        ),
        (
            "**System Architecture:** Designing microservices and distributed systems",
            ["scalable microservices"],
            "**System Architecture:** Designing scalable microservices and distributed systems",
        ),
    ],
)
def test_with_items_joins_a_plain_series_only(line: str, parts: list[str], written: str) -> None:
    assert with_items(line, parts) == written


def test_the_sources_closing_paragraphs_close_the_merged_agent(merged: MergeResult) -> None:
    # Each seed ends with a paragraph after its last list; written in its section, one read
    # as the opening of "Workflow" and another sat in the middle of "Architecture".
    closing = body(merged.text).rsplit("- Missing transaction boundaries", 1)[1].split("\n\n")[1:]
    assert [p.split()[0] for p in closing] == ["Deliver", "Always", "Your", "You", "When"]
    assert "## Workflow\n\n**Requirements Analysis.** Before implementing, always:" in merged.text


def test_each_source_s_lists_come_together_where_its_lists_start(merged: MergeResult) -> None:
    # backend-specialist's "Before implementing, always:" opens it (line 24 of 161); it came
    # fifth, after backend-developer's review checklist (its lines 51-73 of 74).
    workflow = body(merged.text).split("\n## Workflow\n", 1)[1].split("\n## ", 1)[0]
    lead_ins = [line for line in workflow.splitlines() if re.match(r"[*A-Z][^:]*.*:$", line)]
    assert lead_ins == [
        "**Requirements Analysis.** Before implementing, always:",
        "When Providing Solutions:",
        "When analyzing or designing systems, you will:",
        "Your approach prioritizes:",
        "When reviewing existing code, focus on:",
        "Your Approach:",
    ]


@needs_corpus
def test_numbered_steps_keep_their_numbers_and_titles() -> None:
    # lst97's "### Standard Operating Procedure": "1. **Requirement Analysis and Data
    # Modeling:**" over two items, up to step 5. Written as lead-ins, the steps lost their
    # numbers and read as five loose lists.
    lst97 = CORPUS / "lst97+claude-code-sub-agents" / "agents" / "data-ai" / "postgres-pro.md"
    voltagent = next(CORPUS.glob("VoltAgent*/**/postgres-pro.md"))
    text = merge([str(lst97), str(voltagent)]).text
    steps = [line for line in text.splitlines() if re.match(r"\d\. \*\*.*:\*\*$", line)]
    assert steps == [
        "1. **Requirement Analysis and Data Modeling:**",
        "2. **Database Schema and Query Development:**",
        "3. **Performance Optimization and Tuning:**",
        "4. **Pglite Implementation:**",
        "5. **Documentation and Best Practices:**",
    ]
    assert "5. **Documentation and Best Practices:**\n   - Adhere to consistent naming" in text


@needs_corpus
def test_steps_keep_their_place_and_their_heading() -> None:
    # lst97's incident-responder: "## Immediate Actions (First 5 Minutes)" over three titled
    # steps became three "##" sections, the heading a lead-in of the first; "2. **Initiate
    # Postmortem**:" over its items was written after steps 3 and 4, numbered 2 again.
    path = CORPUS / "lst97+claude-code-sub-agents/agents/infrastructure/incident-responder.md"
    text = merge([str(path)]).text
    assert "## Acknowledge and Declare" not in text
    assert (
        "Immediate Actions (First 5 Minutes):\n\n1. **Acknowledge and Declare:**\n"
        "   - Acknowledge the alert.\n"
    ) in text
    assert "\n3. **Assemble the Response Team:**\n" in text
    steps = re.findall(r"^(\d)\. \*\*(\w+ \w+)", text.split("stable:", 1)[1], re.MULTILINE)
    assert steps[:4] == [
        ("1", "Declare Incident"),
        ("2", "Initiate Postmortem"),
        ("3", "Postmortem Content"),
        ("4", "Track Action"),
    ]
    assert "2. **Initiate Postmortem**:\n   - Assign a postmortem owner.\n" in text
    assert merge([str(path), str(path)]).text.split("---", 2)[2] == text.split("---", 2)[2]


@needs_corpus
def test_an_output_template_in_markdown_stays_whole_with_its_example() -> None:
    # lst97's code-reviewer writes its terminal report format as headings and items with
    # slots, then an example of it; read as items, "**Location**: `[File Path]:[Line
    # Number]`" and the example's code were scattered over six sections as practices.
    path = CORPUS / "lst97+claude-code-sub-agents/agents/quality-testing/code-reviewer.md"
    text = merge([str(path)]).text
    output = body(text).split("## Output Format\n\n", 1)[1]
    assert output.startswith("Provide your feedback in the following terminal-friendly format.")
    assert "- **Location**: `[File Path]:[Line Number]`" in output
    assert "### **Example Output**" in output and "SQL Injection Vulnerability" in output
    assert body(text).count("[File Path]") == 3  # in the template only


def test_examples_follow_the_phrase_they_are_examples_of(merged: MergeResult) -> None:
    # At the end of the line, "(session-based)" read as a kind of SAML, and Redis and CDN as
    # data consistency patterns; a skill is no detail of what delivered code must have.
    # backend-master lists session-based beside JWT and OAuth2: it is one more choice of
    # the series, not a qualifier of them all ("(session-based) using JWT" read as calling
    # JWT session-based).
    text = body(merged.text)
    assert (
        "- Implement secure authentication systems using JWT, OAuth2, session-based, SAML "
        "protocols\n"
    ) in text
    assert (
        "- Caching strategies (Redis, Memcached, application-level caching) and "
        "data consistency patterns\n"
    ) in text
    assert "   - Performance optimizations where relevant\n" in text


@needs_corpus
def test_a_second_role_is_the_agents_too() -> None:
    # VoltAgent's qa-expert and test-automator: "You are a senior QA expert with expertise in
    # ... quality metrics" was dropped as a second persona, and "Your focus spans" came twice.
    folder = (
        CORPUS / "VoltAgent+awesome-claude-code-subagents" / "categories" / "04-quality-security"
    )
    text = merge([str(folder / "qa-expert.md"), str(folder / "test-automator.md")]).text
    opening = next(p for p in body(text).strip().split("\n\n") if p.startswith("You are"))
    assert "You are also a senior QA expert with expertise in" in opening
    assert opening.count("Your focus spans") == 1 and "Your focus also spans" in opening
    # Five backend personas are one role: the seeds' opening has one "You are".
    seeds = body(merge([str(p) for p in SEEDS]).text).strip().split("\n\n")
    assert next(p for p in seeds if p.startswith("You are")).count("You are") == 1


@needs_corpus
def test_what_the_same_role_is_expert_in_is_kept_and_its_name_is_not() -> None:
    # lst97's and VoltAgent's code reviewers are one role; VoltAgent's says it is expert "in
    # identifying code quality issues, security vulnerabilities ...", which was dropped with
    # its persona sentence. The seeds' "You are BackendMaster, an elite backend systems
    # architect" adds a name and no expertise: it stays out.
    folder = CORPUS / "VoltAgent+awesome-claude-code-subagents" / "categories"
    review = folder / "04-quality-security"
    text = merge([str(review / "architect-reviewer.md"), str(review / "code-reviewer.md")]).text
    opening = next(p for p in body(text).strip().split("\n\n") if p.startswith("You are"))
    assert opening.count("You are") == 1
    assert "You also have expertise in identifying code quality issues" in opening
    seeds = body(merge([str(p) for p in SEEDS]).text)
    assert "BackendMaster" not in seeds


def test_a_role_named_by_its_initials_is_the_same_role() -> None:
    # VoltAgent's ml agents: "You are also a senior ML engineer" after "... a senior machine
    # learning engineer" read as the agent stating who it is three times.
    def lead(name: str, sentence: str) -> Agent:
        return parse(loads(f"---\nname: {name}\n---\n{sentence}\n\n- Own {name} item\n", name))

    agents = [
        lead("a", "You are a senior MLOps engineer with expertise in ML platforms."),
        lead("b", "You are a senior machine learning engineer with expertise in model serving."),
        lead("c", "You are a senior ML engineer with expertise in edge deployment and batching."),
    ]
    opening = body(merge_agents(agents).text).strip().split("\n\n")[0]
    assert opening.count("You are also") == 1
    assert "You also have expertise in edge deployment and batching." in opening


@needs_corpus
def test_closing_priorities_are_one_sentence_with_every_priority_and_purpose() -> None:
    # Each VoltAgent agent ends "Always prioritize X, Y, and Z while ...": three ML agents
    # ended the merge with three such paragraphs, one after the other.
    folder = CORPUS / "VoltAgent+awesome-claude-code-subagents" / "categories" / "05-data-ai"
    names = ("ml-engineer", "machine-learning-engineer", "mlops-engineer")
    text = merge([str(folder / f"{name}.md") for name in names]).text
    closing = [p.strip() for p in body(text).split("\n\n") if p.startswith("Always prioritize")]
    # Each purpose after the first is a sentence of its own: joined after one "while" by
    # semicolons, three editors read it as a run-on.
    assert closing == [
        "Always prioritize inference performance, system reliability, cost efficiency, "
        "maintainability, automation, and developer experience while maintaining model "
        "accuracy and serving quality. Build ML systems that deliver consistent value "
        "through automated, monitored, and continuously improving machine learning "
        "pipelines. Build ML platforms that accelerate innovation and maintain "
        "operational excellence at scale."
    ]
    text = merged_corpus("VoltAgent/deployment-engineer", "VoltAgent/devops-engineer")
    assert (
        "while maintaining high standards for quality and reliability. Maintain focus "
        "on delivering business value" in text
    )
    # A purpose's second verb is an order too: "Maintain data integrity and support ...".
    assert (
        consolidate_module._as_imperative(
            "maintaining data integrity and supporting business growth",
            lexicon().imperatives,
        )
        == "Maintain data integrity and support business growth."
    )


@needs_corpus
def test_steps_of_one_opening_are_one_series_not_a_detail() -> None:
    # "Analyze performance, scalability, and reliability needs" and "Analyze scalability,
    # reliability, and automation opportunities" were one step with "(automation
    # opportunities)" grafted on as a detail.
    folder = CORPUS / "VoltAgent+awesome-claude-code-subagents" / "categories" / "05-data-ai"
    names = ("ml-engineer", "machine-learning-engineer", "mlops-engineer")
    text = merge([str(folder / f"{name}.md") for name in names]).text
    assert "(automation opportunities)" not in text
    assert "reliability needs, automation opportunities, infrastructure" in text


@needs_corpus
def test_each_sources_identity_fields_open_the_merged_agent() -> None:
    # lst97's "**Role**:" and "**Expertise**:" under the document title sat in the middle of
    # the "Security" section, between compliance lists.
    lst97 = next(CORPUS.glob("lst97*/**/security-auditor.md"))
    voltagent = next(CORPUS.glob("VoltAgent*/**/security-auditor.md"))
    text = body(merge([str(lst97), str(voltagent)]).text)
    opening = text.split("\n## ", 1)[0].strip().split("\n\n")
    assert opening[0].startswith("You are a senior security auditor")
    assert [p.split(":")[0] for p in opening[1:3]] == ["**Role**", "**Expertise**"]


def test_an_item_stays_under_its_own_lead_in(merged: MergeResult) -> None:
    # backend-specialist asks for logging at appropriate levels under "Your implementations
    # must:" and for structured logging under "Build resilient systems:"; one is no detail of
    # the other, and neither moves to the other's list.
    lists = body(merged.text).split("\n\n")
    must = lists[lists.index("Your implementations must:") + 1]
    resilient = lists[lists.index("Build resilient systems:") + 1]
    assert "- Include proper logging at appropriate levels" in must.splitlines()
    assert "- Use structured logging (JSON format with context)" in resilient.splitlines()


def test_a_template_follows_the_lists_its_source_wrote_before_it(
    voltagent_qa: MergeResult,
) -> None:
    # VoltAgent's "Progress tracking:" JSON closes the implementation phase; written first in
    # its merged section, it came before "When invoked:", the steps that open the agent.
    text = body(voltagent_qa.text)
    workflow = text[text.index("\n## Workflow\n") :]
    assert workflow.index("Implementation approach:") < workflow.index("Progress tracking:")


@needs_corpus
def test_the_safety_net_refuses_a_united_template_that_drops_an_asked_item() -> None:
    def voltagent(name: str, needed: str, field: str) -> Agent:
        query = {"requesting_agent": name, "payload": {"query": f"Context needed: {needed}."}}
        block = json.dumps(query, indent=2)
        progress = json.dumps({"agent": name, "progress": {field: 1}}, indent=2)
        text = (
            f"---\nname: {name}\n---\n## Communication\n\nContext query:\n\n```json\n"
            f"{block}\n```\n\n## Workflow\n\n- Own {name} practice\n\n"
            f"Progress tracking:\n\n```json\n{progress}\n```\n"
        )
        return parse(loads(text, f"{name}.md"))

    agents = [voltagent("a-pro", "team size, pain points", "x"), voltagent("b-pro", "budget", "y")]
    result = merge_agents(agents)
    assert result.text.count("```json") == 3 and result.verification.ok
    assert "Context needed: team size, pain points, and budget." in result.text
    dropped = result.text.replace(", and budget", "")
    assert verify(result.clustering, result.agent, dropped).missing_verbatim == (
        "b-pro: Context query:",
    )
    assert not verify(result.clustering, result.agent, dropped.replace('"y": 1', '"z": 1')).ok


def test_a_template_naming_a_source_names_the_merged_agent(voltagent_qa: MergeResult) -> None:
    # VoltAgent's templates report as the agent itself: "agent": "qa-expert" named an agent
    # the merge replaces.
    result = voltagent_qa
    assert '"qa-expert"' not in result.text and '"test-automator"' not in result.text
    assert result.verification.ok
    # Each source's context query and progress report, whole: united, the second's request
    # type and status were lost and one report mixed two projects' figures (four editors).
    assert result.text.count("```json") == 4
    assert result.text.count('"agent": "qa-expert-merged"') == 2
    assert '"request_type": "get_qa_context"' in result.text
    assert '"request_type": "get_automation_context"' in result.text
    assert '"defects_found": 94,' in result.text and '"tests_automated": 842,' in result.text
    # Each asks for its own coverage target: both are kept, and the user is told.
    assert [n for n in result.notes if "figure" in n] == [
        "sources disagree on a figure (qa-expert:19 'Test coverage > 90% achieved' / "
        "test-automator:19 'Test coverage > 80% achieved'); both kept"
    ]


@pytest.mark.parametrize(
    ("line", "other", "written"),
    [
        (
            "Optimize application performance through profiling and resource utilization analysis",
            "Optimize server performance through profiling and monitoring",
            "Optimize application and server performance through profiling, resource utilization "
            "analysis and monitoring",
        ),
        (
            "Evaluate and recommend appropriate database technologies (SQL vs NoSQL) based on "
            "data patterns and scale requirements",
            "Choose appropriate database technologies (SQL vs NoSQL) based on use case",
            "Evaluate, recommend and choose appropriate database technologies (SQL vs NoSQL) "
            "based on data patterns, scale requirements and use case",
        ),
        (
            "Guide security-auditor on security testing",
            "Assist security-auditor on security testing",
            "Guide and assist security-auditor on security testing",
        ),
        # An acronym opening the other wording stays as written.
        (
            "Azure Security Center setup",
            "GCP Security Center setup",
            "Azure and GCP Security Center setup",
        ),
        # A clause only one says, another word form, another stance: other statements.
        ("Analyze queries", "Analyze query execution plans to identify bottlenecks", None),
        ("Context API", "Context API for global state management", None),
        ("Use ORMs for data access", "Never use ORMs for data access", None),
        ("Implement caching with Redis", "Implement rate limiting with Redis", None),
    ],
)
def test_two_wordings_of_one_statement_are_aligned(
    line: str, other: str, written: str | None
) -> None:
    assert consolidate_module._aligned(line, other) == written


@needs_corpus
def test_a_paragraph_pointing_at_what_follows_stays_above_it() -> None:
    # lst97's "## Core Quality Philosophy" says only "This agent operates based on the
    # following core principles ..." over its sub-sections' lists; written after them, "the
    # following" pointed at nothing.
    sources = [
        next(CORPUS.glob(f"lst97*/**/{name}.md")) for name in ("qa-expert", "test-automator")
    ]
    text = body(merge([str(path) for path in sources]).text)
    intro = text.index("This agent operates based on the following core principles")
    assert intro < text.index("- **No Failing Builds:**")


def test_every_trigger_that_adds_a_case_routes(merged: MergeResult) -> None:
    # backend-master is called to "build, optimize, or troubleshoot" backend systems and
    # backend-developer for "scalability and security concerns": each a case of the trigger.
    description = str(dict(merged.agent.frontmatter)["description"])
    assert "troubleshoot backend systems" in description
    assert "scalability and security concerns" in description
    assert len(description) <= 3000


def test_a_statement_whose_object_the_line_only_qualifies_with_is_its_own(
    merged: MergeResult,
) -> None:
    # backend-master's "Design CI/CD pipelines for backend services" was "(for backend
    # services)" after "Structure applications for seamless CI/CD pipeline integration":
    # there the pipeline only qualifies the integration, and designing pipelines was lost.
    lines = body(merged.text).splitlines()
    assert "- Design CI/CD pipelines for backend services" in lines
    assert "- Structure applications for seamless CI/CD pipeline integration" in lines
    assert "(for high-traffic applications)" not in merged.text


@needs_corpus
def test_a_line_of_sentences_takes_no_details() -> None:
    # lst97's react-pro writes "Component Architecture: Reusable, composable components
    # following SOLID principles" and, in two sentences, "Component-Based Architecture: ...
    # does one thing well."; folded, the second ended "(SOLID), and composable components
    # following SOLID principles."
    source = next(CORPUS.glob("lst97*/**/react-pro.md"))
    others = [
        next(CORPUS.glob(f"{c}*/**/{n}.md"))
        for c, n in (("0xfurai", "react-expert"), ("lst97", "frontend-developer"))
    ]
    text = merge([str(source), *map(str, others)]).text
    assert "does one thing well.\n" in text
    # What every source is about (React) is no detail: not "Hooks (React)".
    assert "functional components and Hooks." in text and "(React" not in text
    assert "- Component Architecture: Reusable, composable components following SOLID" in text


@needs_corpus
def test_the_steps_every_source_opens_with_open_the_merged_agent() -> None:
    # VoltAgent's agents open with "When invoked:" and its steps, right after the persona;
    # merged, they sat at the end of "## Workflow", some 600 lines down. Its step 1 is
    # "Query context manager ...": the context query still comes before the phases.
    sources = [next(CORPUS.glob(f"{c}*/**/postgres-pro.md")) for c in ("VoltAgent", "lst97")]
    text = body(merge([str(path) for path in sources]).text)
    opening = text.split("\n## ", 1)[0]
    assert "When invoked:\n\n1. Query context manager for PostgreSQL deployment" in opening
    # So does the bar its work meets, the checklist right after the steps.
    assert "\nPostgreSQL excellence checklist:\n" in opening
    assert text.count("When invoked:") == 1
    assert text.index("PostgreSQL context query:") < text.index("through systematic phases:")


def test_no_phrase_follows_a_trailing_acronym(merged: MergeResult) -> None:
    # ", and permission systems" after "attribute-based (ABAC)" read as broken to every
    # editor; the line that says permission systems is written as its source wrote it.
    text = body(merged.text)
    assert "- Use role-based access control (RBAC) or attribute-based (ABAC)\n" in text
    assert "(ABAC), and" not in text


@needs_corpus
def test_an_entry_is_no_detail_of_its_sibling() -> None:
    # deployment-engineer's "Pipeline optimization:" lists "Build caching" and "Artifact
    # caching"; kept apart from devops-engineer's "Caching strategies", the first was folded
    # into the second ("build" is a verb any agent uses) and the editor found it lost.
    sources = [
        next(CORPUS.glob(f"VoltAgent*/**/{name}.md"))
        for name in ("deployment-engineer", "devops-engineer")
    ]
    lines = body(merge([str(path) for path in sources]).text).splitlines()
    assert "- Build caching" in lines and "- Artifact caching" in lines


def test_agents_of_one_name_are_told_apart_by_folder_or_file_name(tmp_path: Path) -> None:
    agent = "---\nname: python-pro\n---\n- Write {x} code\n"
    paths = [tmp_path / "lst97" / "python-pro.md", tmp_path / "volt" / "python-pro.md"]
    paths += [tmp_path / "one" / "lst97-python-pro.md", tmp_path / "one" / "volt-python-pro.md"]
    for k, path in enumerate(paths):
        path.parent.mkdir(exist_ok=True)
        path.write_text(agent.format(x=k))
    names = [s.name for s in disambiguate([load(p) for p in paths[:2]])[0]]
    assert names == ["python-pro (lst97)", "python-pro (volt)"]
    names = [s.name for s in disambiguate([load(p) for p in paths[2:]])[0]]
    assert names == ["python-pro (lst97-python-pro.md)", "python-pro (volt-python-pro.md)"]


@needs_corpus
def test_a_phase_sentence_introduces_only_its_own_lead_in_s_list() -> None:
    # VoltAgent's "### 3. Quality Assurance" sentence introduces its "Quality checklist:";
    # 0xfurai's "## Quality Checklist" is another list of that name, in another section.
    paths = [
        CORPUS
        / "VoltAgent+awesome-claude-code-subagents/categories/02-language-specialists"
        / "python-pro.md",
        CORPUS / "0xfurai+claude-code-subagents/agents/python-expert.md",
    ]
    text = body(merge([str(p) for p in paths]).text)
    assert text.count("Ensure code meets production standards.") == 1
    assert "standards.\n\nquality checklist:\n\n- black formatting applied" in text.lower()


def test_a_short_entry_takes_no_statement_written_elsewhere_as_a_detail() -> None:
    # golang: "Implementing REST APIs with net/http" (Focus Areas) read as "REST API with
    # middleware (with net/http)" among "Microservices patterns:"; it is a focus of its own.
    patterns = "---\nname: volt\n---\nMicroservices patterns:\n\n- REST API with middleware\n"
    patterns += "- Service discovery\n- Circuit breakers\n"
    focus = "---\nname: furai\n---\n## Focus Areas\n\n- Implementing REST APIs with net/http\n"
    result = merge_agents([parse(loads(patterns, "v.md")), parse(loads(focus, "f.md"))])
    text = body(result.text)
    assert "- REST API with middleware\n" in text
    assert "- Implementing REST APIs with net/http\n" in text


@needs_corpus
def test_what_every_source_is_about_is_no_detail() -> None:
    # Every python agent's description names Python: "... to solve complex problems
    # elegantly (Python)" and "... testable code structure (Pythonic)" told a Python agent
    # nothing, and an editor read them as junk.
    paths = [
        *CORPUS.glob("VoltAgent*/**/python-pro.md"),
        *CORPUS.glob("lst97*/**/python-pro.md"),
        *CORPUS.glob("0xfurai*/**/python-expert.md"),
    ]
    text = body(merge([str(p) for p in paths]).text)
    assert "problems elegantly.\n" in text
    assert "(Python" not in text and "(Pythonic" not in text


def test_two_entries_of_one_lead_in_fold_into_the_one_that_takes_the_other() -> None:
    # lst97's qa-expert and test-automator list playwright under "MCP Integration:"; the
    # entry that says most could not take the other's words, the other takes its.
    mcp = "---\nname: {n}\n---\n**MCP Integration**:\n\n- playwright: {what}\n"
    agents = [
        parse(loads(mcp.format(n=n, what=what), f"{n}.md"))
        for n, what in (
            ("qa", "Automated browser testing, E2E test execution, visual validation"),
            (
                "automator",
                "Browser automation, E2E testing, visual testing, cross-browser validation",
            ),
        )
    ]
    text = body(merge_agents(agents).text)
    assert text.count("- playwright:") == 1
    assert "visual and cross-browser validation" in text


def test_two_entries_one_author_wrote_in_one_list_are_two() -> None:
    # VoltAgent typescript-pro's "Monorepo patterns:" lists "Shared type packages" and
    # "Type-only packages"; the first says every content word of the second ("only" is a
    # stop word), and the second was gone.
    monorepo = "Monorepo patterns:\n\n- Shared type packages\n- Type-only packages\n"
    agents = [
        parse(loads(f"---\nname: volt\n---\n{monorepo}- Build caching\n", "v.md")),
        parse(loads("---\nname: other\n---\n- Use shared type packages across apps\n", "o.md")),
    ]
    text = body(merge_agents(agents).text)
    assert "- Type-only packages\n" in text


def test_a_named_detail_joins_the_opening_s_object_before_its_clause() -> None:
    # typescript: lst97's "Mastery of Promise APIs and async/await." beside 0xfurai's
    # "Employ async/await syntax for cleaner asynchronous code" read "... code (Promise
    # APIs)", which an editor found senseless.
    line = "Employ async/await syntax for cleaner asynchronous code"
    written = consolidate_module._with_examples(line, ["Promise APIs"], [])
    assert written == "Employ async/await syntax and Promise APIs for cleaner asynchronous code"


def test_the_description_keeps_one_example_of_each_common_task(merged: MergeResult) -> None:
    # Four seeds give an example of reviewing code; the four kept were all about building.
    description = str(dict(merged.agent.frontmatter)["description"])
    assert description.count("<example>") == 4
    asked = set(re.findall(r"agent to (\w+)", description.split("Examples:")[1]))
    assert {"design", "review", "analyze", "build"} <= asked


@needs_corpus
def test_a_template_follows_its_own_source_s_lists_not_another_s() -> None:
    # VoltAgent react-specialist's "Progress tracking:" JSON follows its "React patterns:";
    # lst97 react-pro's procedure, written later in Workflow, counted as written before it
    # (its source's name sorts first), and the template moved past two more phases.
    paths = [
        *CORPUS.glob("VoltAgent*/**/react-specialist.md"),
        *CORPUS.glob("lst97*/**/react-pro.md"),
        *CORPUS.glob("0xfurai*/**/react-expert.md"),
    ]
    text = body(merge([str(p) for p in paths]).text)
    patterns = text.index("React patterns:")
    assert text.index("Progress tracking:", patterns) < text.index("Excellence checklist:")


@needs_corpus
def test_each_source_s_phases_stay_in_the_order_it_wrote_them() -> None:
    # Both VoltAgent reviewers write phase 2's "Implementation approach:"; the code
    # reviewer's phase 1 ("Preparation priorities:") came after the architecture reviewer's
    # phase 3, and its "Progress tracking:" JSON after every list of the section.
    text = merged_corpus("VoltAgent/architect-reviewer", "VoltAgent/code-reviewer")
    workflow = text[text.index("\n## Workflow\n") :]
    order = [
        "Analysis priorities:",
        "Preparation priorities:",
        "Context evaluation:",
        "Implementation approach:",
        "Review patterns:",
        "Progress tracking:",
        "Excellence checklist:",
    ]
    at = [workflow.index(f"\n{lead_in}\n") for lead_in in order]
    assert at == sorted(at)
    # "Review categories:" follows the delivery message: written with its topic.
    assert "Review categories:" not in workflow
    # Each source's report of its own figures ("components_reviewed", "files_reviewed"):
    # united, the review editor read one report of two projects.
    assert workflow.count("Progress tracking:") == 2
    # Each source's procedure opened with its own "Execute ... through systematic phases:";
    # the second, between the first's phases, read as out of order: one frame opens both.
    assert workflow.count("through systematic phases:") == 1
    assert "\nExecute architecture and code review through systematic phases:\n" in workflow


@needs_corpus
def test_a_clause_cut_from_its_series_and_a_template_slot_are_no_details() -> None:
    # "covered by a suite of unit, integration, and E2E tests" lent "(logic is covered, by
    # a suite of unit)" to the Definition of Done; "[How this improves the code]" lent
    # "(How, improves the code])" to the example's benefit.
    lines = merged_corpus("lst97/architect-review", "lst97/code-reviewer").splitlines()
    assert "- All tests (unit, integration, E2E) are passing." in lines
    assert (
        "- **Comprehensive Testing:** Ensure all new logic is covered by a suite of unit,"
        " integration, and E2E tests." in lines
    )
    assert "- **Benefit**: [How this improves the code]" in lines
    assert not any("improves the code])" in line for line in lines)


@needs_corpus
def test_a_field_several_sources_write_is_written_once() -> None:
    # lst97's frontend-developer and react-pro each open with "**Role**:" and "**Expertise**:";
    # the merge wrote both pairs, one after the other.
    text = merged_corpus("lst97/frontend-developer", "lst97/react-pro")
    assert text.count("**Role**:") == 1
    assert text.count("**Expertise**:") == 1
    expertise = next(p for p in text.split("\n\n") if p.startswith("**Expertise**:"))
    # Items of one head are one, with every example either gives; names keep their case.
    assert "state management (Context, Zustand, Redux, Redux Toolkit, React Query)" in expertise
    assert expertise.count("state management") == 1
    assert "Tailwind CSS" in expertise
    assert "styling methodologies (CSS-in-JS, CSS Modules)" in expertise
    # frontend-developer's "CSS-in-JS" alone is said by react-pro's example of it, and its
    # "Context" by react-pro's "Context API".
    assert expertise.count("CSS-in-JS") == 1
    assert "Modern React (Hooks, Context API, Suspense)" in expertise
    # The second source's role is one more of the agent's, after what the first says of
    # it: an editor read "... Senior-level React Engineer ..." alone as a second bio.
    role = text[text.index("**Role**:") :].split("\n\n")[0]
    # With its article, a Title Case role as written ("Also senior-level React Engineer"
    # read as a typo).
    assert "accessibility. Also a Senior-level React Engineer specializing in modern" in role
    # After a first role that is no bare role ("Expert guardian of software architecture
    # ..."), a bare one still joins it: alone, the review editor read it as a fragment.
    opening = merged_corpus("lst97/architect-review", "lst97/code-reviewer").strip()
    role = next(p for p in opening.split("\n\n") if p.startswith("**Role**:"))
    assert "design goals. Also a Senior Staff Software Engineer specializing in" in role
    # A role "responsible for" something is a bare role too: the qa editor read lst97
    # test-automator's "Test Automation Specialist responsible for ..." as a fragment.
    opening = merged_corpus("lst97/qa-expert", "lst97/test-automator").strip()
    role = next(p for p in opening.split("\n\n") if p.startswith("**Role**:"))
    # Between qa-expert's two sentences, its second read as the automation role's.
    assert "testing processes. Also a Test Automation Specialist responsible for" in role
    # A commander is a role too: the incident editor read lst97's "Battle-tested Incident
    # Commander specializing in ..." run on after the first role as a subjectless fragment.
    opening = merged_corpus("lst97/devops-incident-responder", "lst97/incident-responder")
    role = next(p for p in opening.strip().split("\n\n") if p.startswith("**Role**:"))
    assert "implementation. Also a Battle-tested Incident Commander specializing in" in role


@needs_corpus
def test_a_clause_is_no_item_of_a_parenthesis_of_names() -> None:
    # lst97's "State Management: Experienced in using state management libraries like Redux
    # ... for complex applications" was folded into another line as "`Context` API (Redux,
    # Experienced in, for complex applications)": the clause read as one more name.
    nextjs = ("0xfurai/nextjs-expert", "lst97/nextjs-pro", "VoltAgent/nextjs-developer")
    lines = merged_corpus(*nextjs).splitlines()
    assert not any("for complex applications)" in line for line in lines)
    assert (
        "- **State Management:** Experienced in using state management libraries like Redux or"
        " the Context API for complex applications." in lines
    )


@needs_corpus
def test_sections_no_topic_names_keep_the_order_their_source_wrote_them() -> None:
    # VoltAgent's nextjs-developer writes "Server Components:", "Server Actions:" and
    # "Rendering strategies:" in that order; they were sorted by title.
    text = merged_corpus("0xfurai/nextjs-expert", "VoltAgent/nextjs-developer")
    titles = ("Server Components", "Server Actions", "Rendering strategies")
    at = [text.index(f"\n{title}:\n") for title in titles]
    assert at == sorted(at)


@needs_corpus
def test_two_wordings_of_one_statement_are_one_series_not_a_detail() -> None:
    # VoltAgent's deployment and devops engineers work with kubernetes-specialist "on K8s
    # deployments" and "on container platforms": "(with kubernetes-specialist on container
    # platforms)" said the partner twice.
    text = merged_corpus("VoltAgent/deployment-engineer", "VoltAgent/devops-engineer")
    lines = text.splitlines()
    assert "- Work with kubernetes-specialist on K8s deployments and container platforms" in lines


@needs_corpus
def competencies(name: str, *items: str) -> Agent:
    """An agent of one "## Core Competencies" list of these items."""
    listed = "".join(f"- {item}\n" for item in items)
    return parse(loads(f"---\nname: {name}\n---\n## Core Competencies\n\n{listed}", f"{name}.md"))


def test_a_named_detail_joins_the_series_beside_its_sibling() -> None:
    # lst97's typescript-pro lists "Dependency Injection, Repository, and Module Federation";
    # "(Repository)" after "module federation" read as an example of it.
    text = merge_agents(
        [
            competencies(
                "ts-a",
                "Architecture Design: Scalable patterns for frontend/backend, dependency "
                "injection, module federation",
            ),
            competencies(
                "ts-b",
                "Applying patterns like Dependency Injection, Repository, and Module Federation.",
            ),
        ]
    ).text
    assert "dependency injection, Repository, module federation\n" in text
    assert "(Repository)" not in text


@needs_corpus
def test_deliverables_keep_their_source_s_order() -> None:
    # lst97's cloud-architect delivers "Executive Summary" first and its "Disaster Recovery
    # Runbook" last; a deliverable said by two sources was written first, the summary eighth.
    text = merged_corpus(
        "lst97/cloud-architect", "VoltAgent/cloud-architect", "0xfurai/terraform-expert"
    )
    output = text[text.index("\n## Output Format\n") :]
    assert output.index("**Executive Summary:**") < output.index("**Disaster Recovery Runbook:**")


@needs_corpus
def test_a_choice_joins_the_choices_before_their_or() -> None:
    # 0xfurai's "State management solutions like Provider, Riverpod, BLoC" beside lst97's
    # "libraries like Redux, MobX, or Provider": "or Provider (Riverpod, BLoC)" read as
    # kinds of Provider.
    text = merged_corpus("0xfurai/flutter-expert", "lst97/mobile-developer")
    assert "libraries like Redux, MobX, Provider, Riverpod, or BLoC." in text


@needs_corpus
def test_one_label_over_two_series_is_one_series() -> None:
    # lst97's incident responders each write "context7: Research ..." under MCP Integration;
    # the merge wrote both lines, one after the other.
    text = merged_corpus("lst97/incident-responder", "lst97/devops-incident-responder")
    lines = text.splitlines()
    context7 = [line for line in lines if line.startswith("- context7:")]
    assert context7 == [
        "- context7: Research incident response procedures, SRE practices, escalation"
        " protocols, incident response patterns, monitoring best practices, tool documentation"
    ]
    # Nor is one series a detail of the other: lst97's QA agents' context7 lines read
    # "industry best practices (automation patterns)".
    text = merged_corpus("lst97/qa-expert", "lst97/test-automator")
    assert "industry best practices, quality standards, automation patterns" in text


@needs_corpus
def test_the_agents_it_works_with_are_listed_beside_its_tools() -> None:
    # Four editors read "## Integration and Messaging" holding only the MCP servers, the
    # agents it works with under "## Communication", as one subject split in two.
    text = merged_corpus("VoltAgent/python-pro", "lst97/python-pro")
    start = text.index("\n## Integration and Messaging\n")
    integration = text[start : text.index("\n## ", start + 1)]
    assert "\nMCP Integration:\n" in integration
    assert "\nIntegration with other agents:\n" in integration


@needs_corpus
def test_work_with_a_partner_on_something_else_is_a_line_of_its_own() -> None:
    # An editor read "Guide devops-engineer on infrastructure (with automation)" as changing
    # "Help devops-engineer with automation", and found "Partner with cloud-architect on
    # cloud databases" lost in "Assist cloud-architect on database architecture".
    lines = merged_corpus(
        "VoltAgent/database-administrator", "VoltAgent/database-optimizer"
    ).splitlines()
    # Each source's work with one partner is said whole, in one line (four editors read
    # the partner listed twice as said twice).
    for line in (
        "- Help devops-engineer with automation and guide it on infrastructure",
        "- Assist cloud-architect on database architecture and partner with it on cloud databases",
    ):
        assert line in lines
    assert not any(line.endswith("(with automation)") for line in lines)
    # Work on one thing with one partner, said twice, is still one line.
    deploy = merged_corpus("VoltAgent/deployment-engineer", "VoltAgent/devops-engineer")
    assert "- Work with kubernetes-specialist on K8s deployments and container platforms" in (
        deploy.splitlines()
    )


@needs_corpus
def test_lists_after_a_phase_s_delivery_message_are_written_with_their_topic() -> None:
    # VoltAgent closes its last phase with "Delivery notification:" and a quoted message,
    # then lists what the agent knows ("Scaling techniques:"); an editor read those lists,
    # written in the workflow, as left in its tail. The message stays with its phase.
    text = merged_corpus("VoltAgent/ml-engineer", "VoltAgent/machine-learning-engineer")
    workflow = text[text.index("\n## Workflow\n") :]
    performance = text[text.index("\n## Performance and Scalability\n") :]
    assert "\nScaling techniques:\n" in performance and "Scaling techniques:" not in workflow
    message = workflow.index('"ML system completed.')
    assert workflow.index("\nExcellence checklist:\n") < message


def test_an_item_kept_apart_in_a_lead_in_s_list_stays_where_its_source_wrote_it(
    voltagent_qa: MergeResult,
) -> None:
    # test-automator's "Implementation approach:" ends "Train team", "Monitor execution";
    # kept apart from qa-expert's "Monitor quality", the step was written right after it,
    # before "Design framework": monitoring before anything is built, an editor read.
    text = body(voltagent_qa.text)
    approach = text[text.index("\nImplementation approach:\n") :].split("\n\n")[1]
    steps = approach.splitlines()
    assert steps.index("- Design framework") < steps.index("- Monitor execution")
    assert steps[-2:] == ["- Train team", "- Monitor execution"]


def test_each_context_query_keeps_its_opening(voltagent_qa: MergeResult) -> None:
    # "Initialize QA process by understanding quality requirements." opens qa-expert's
    # query, "Initialize test automation by understanding needs." test-automator's: each is
    # written before its own.
    text = body(voltagent_qa.text)
    assert text.count("Initialize") == 2
    assert "Initialize QA process by understanding quality requirements.\n\nQA context" in text
    assert "Initialize test automation by understanding needs.\n\nAutomation context" in text


def test_work_with_a_partner_on_other_words_is_other_work(voltagent_qa: MergeResult) -> None:
    # "Support code-reviewer on quality standards" (qa-expert) was folded into "Coordinate
    # with code-reviewer on test quality" (test-automator): "quality standards" has no
    # content term, so it read as said. An editor found it lost.
    text = body(voltagent_qa.text)
    lines = text.splitlines()
    assert (
        "- Support code-reviewer on quality standards and coordinate with it on test quality"
        in lines
    )


@needs_corpus
def test_a_clause_qualifying_a_phrase_the_line_says_goes_after_that_phrase() -> None:
    # lst97's qa-expert: "QA Analytics: ... data-driven insights for stakeholders" folded
    # into its "QA Metrics and Analytics" line as "... for decision-making (for
    # stakeholders)", a tacked-on parenthesis to an editor; "for stakeholders for
    # decision-making" read to the next as a doubled preposition.
    text = merge_agents(
        [
            competencies(
                "qa-a",
                "**QA Metrics and Analytics:** Define and track key quality metrics to monitor "
                "the testing process, evaluate product quality, and provide data-driven insights "
                "for decision-making.",
            ),
            competencies(
                "qa-b",
                "QA Analytics: Quality metrics tracking and data-driven insights for stakeholders",
            ),
        ]
    ).text
    assert "provide data-driven insights for stakeholders and for decision-making." in text
    assert "(for stakeholders)" not in text


@needs_corpus
def test_messages_under_one_label_are_examples_of_one_message() -> None:
    # Three sources' "Delivery notification: ..." read as three notifications to send: the
    # label is written once, each source's message after it, and nothing is missed. The
    # label says they are examples (two editors read them as one message contradicting
    # itself: 94% beside 83% coverage).
    text = merged_corpus(
        "VoltAgent/ml-engineer", "VoltAgent/machine-learning-engineer", "VoltAgent/mlops-engineer"
    )
    assert text.count("Delivery notification") == 1
    label = text.index("Delivery notification (examples):\n\n")
    for opening in ('"ML system completed.', '"ML deployment completed.', '"MLOps platform'):
        assert text.index(opening) > label


@needs_corpus
def test_a_titled_lists_own_sentence_introduces_it_where_it_is_written() -> None:
    # lst97's "### Secure SDLC Integration" opens with "A key function is to embed security
    # into every phase of the SDLC." and lists the phases: merged, the list is written as
    # "Secure SDLC Integration:" among the security lists, and its sentence sat at the top
    # of the section, 80 lines above it.
    text = merged_corpus("VoltAgent/security-engineer", "lst97/security-auditor")
    assert (
        "\n\nA key function is to embed security into every phase of the Software Development"
        " Lifecycle (SDLC).\n\nSecure SDLC Integration:\n\n- **Planning & Requirements:**"
    ) in text


@needs_corpus
def test_rules_the_work_keeps_are_written_as_constraints() -> None:
    # lst97 frontend-developer's "### **Constraints**" sat among the Core Responsibilities,
    # apart from its "What to Avoid" and "Output Format" (an editor's reading).
    text = merged_corpus("lst97/frontend-developer", "lst97/react-pro")
    constraints = text[text.index("\n## Constraints\n") : text.index("\n## Output Format\n")]
    assert "\n- All code must be written in TypeScript.\n" in constraints
    assert "All code must be written in TypeScript." not in text.replace(constraints, "")


@needs_corpus
def test_the_whole_voltagent_collection_merges_without_loss() -> None:
    # The 162 VoltAgent agents in one merge (the scale the merge fidelity issue times) were
    # refused for a partner's name said nowhere else ("quant" of "quant-analyst").
    result = merge([str(CORPUS / "VoltAgent+awesome-claude-code-subagents" / "categories")])
    assert result.verification.ok
    assert "Collaborate with quant-analyst on risk models" in result.text


def test_an_opening_sentence_adding_two_words_stays(merged: MergeResult) -> None:
    # backend-master's "You specialize in building robust, high-performance backend systems
    # that can handle enterprise-scale demands." adds "enterprise" and "demands": an editor
    # read it as lost. Beside backend-architect's "You specialize in ...", it is "also".
    text = body(merged.text)
    assert "You also specialize in building robust, high-performance backend systems that can" in (
        text
    )
    assert "enterprise-scale demands" in text


@needs_corpus
def test_the_message_sent_when_done_ends_the_workflow() -> None:
    # sql-pro's third phase ("Performance Verification") followed database-optimizer's
    # ("Performance Excellence") as a fourth; the delivery messages, written at the end of
    # each third phase, were written before it: verifying after declaring the work done.
    # Both closing phases, they are one third phase, the messages after its lists; the
    # lists a source wrote after its message stay after it (an editor read "GitOps
    # workflows:" between a phase's checklist and its message as misplaced).
    text = merge(corpus_paths("VoltAgent/sql-pro", "VoltAgent/database-optimizer")).text
    workflow = text.split("## Workflow", 1)[1].split("\n## ", 1)[0]
    assert "**3. Performance Excellence and Performance Verification.**" in workflow
    assert "**4." not in workflow
    assert workflow.index("Verification checklist:") < workflow.index("Delivery notification")
    # After the messages, only what sql-pro wrote after its own ("Analytical queries:").
    after = workflow.split("Delivery notification", 1)[1]
    assert "\n1. " not in after and "checklist" not in after
    assert "Analytical queries:" in after


@needs_corpus
def test_another_source_s_procedure_of_no_phases_comes_before_the_phases() -> None:
    # lst97's nextjs-pro "Standard Operating Procedure:" (1. Project Initialization ...) was
    # written between VoltAgent's phase 3 checklist and its delivery notification, then
    # after the notification: three editors read it as a fourth phase, project setup after
    # the work was delivered. VoltAgent's phases and their message close the section.
    text = merge(corpus_paths("lst97/nextjs-pro", "VoltAgent/nextjs-developer")).text
    workflow = text.split("## Workflow", 1)[1].split("\n## ", 1)[0]
    assert workflow.index("Standard Operating Procedure:") < workflow.index("**1. ")
    assert workflow.index("Excellence checklist:") < workflow.index("Delivery notification")
    assert "\n1. " not in workflow.split("Delivery notification", 1)[1]


@needs_corpus
def test_a_plain_item_does_not_go_under_a_lead_in_its_author_wrote_another_under() -> None:
    # 0xfurai's sql-expert lists "Utilizing stored procedures for encapsulating logic." as a
    # focus area and "Stored procedures are used appropriately." in its "Quality Checklist:";
    # merged, the capability was "(for encapsulating logic)" on the criterion, and an editor
    # read it as lost from the responsibilities.
    text = merge(corpus_paths("0xfurai/sql-expert", "VoltAgent/sql-pro")).text
    assert "- Utilizing stored procedures for encapsulating logic.\n" in text
    assert "- Stored procedures are used appropriately.\n" in text


@needs_corpus
def test_lead_ins_in_either_number_are_one_list() -> None:
    # database-optimizer's "Index strategy:" and "Index strategies:" (B-tree, hash, GiST ...)
    # were two lists one after the other in one section; they read alike.
    text = merge(corpus_paths("VoltAgent/sql-pro", "VoltAgent/database-optimizer")).text
    assert "\nIndex strategy:\n" in text and "\nIndex strategies:\n" not in text
    listed = text.split("\nIndex strategy:\n\n", 1)[1].split("\n\n", 1)[0]
    assert "- Partial indexes" in listed and "- BRIN indexes" in listed


@needs_corpus
def test_a_description_s_expert_in_and_imperative_sentences_are_cases() -> None:
    # 0xfurai's descriptions open "Expert in X ..." or "Master X, ...": after another
    # source's trigger, "Expert in writing idiomatic Rust code ..." was dropped and "Master
    # complex SQL queries, ..." read as an order in a text about the agent.
    rust = merge(corpus_paths("0xfurai/rust-expert", "VoltAgent/rust-engineer")).text
    described = str(frontmatter.loads(rust)["description"])
    assert "\n- for writing idiomatic Rust code with focus on safety" in described
    sql = merge(corpus_paths("0xfurai/sql-expert", "VoltAgent/sql-pro")).text
    described = str(frontmatter.loads(sql)["description"])
    assert "\n- to master complex SQL queries, optimize execution plans" in described
    assert ". Master complex" not in described
    # "Expert in Next.js development, specializing in ...": the case has no one specializing.
    nextjs = merge(corpus_paths("VoltAgent/nextjs-developer", "0xfurai/nextjs-expert")).text
    described = str(frontmatter.loads(nextjs)["description"])
    assert "\n- for Next.js development, especially serverless architecture" in described


@needs_corpus
def test_a_phase_s_lists_are_written_before_the_next_phase_starts() -> None:
    # VoltAgent's security-auditor writes "Audit patterns:" after the "Implementation
    # approach:" it shares with security-engineer; it was written after the engineer's
    # phase 3 ("Security Verification"), and an editor read it as misplaced.
    text = merge(corpus_paths("VoltAgent/security-auditor", "VoltAgent/security-engineer")).text
    workflow = text.split("## Workflow", 1)[1]
    assert (
        workflow.index("\nImplementation approach:\n")
        < workflow.index("\nAudit patterns:\n")
        < workflow.index(". Security Verification and Audit Excellence.**")
    )


@needs_corpus
def test_two_lists_of_one_lead_in_key_in_two_sections_keep_their_own_lead_ins() -> None:
    # documentation-engineer's "Content strategies:" (responsibilities) and technical-writer's
    # planning "Content strategy:" are two lists; both were written "Content strategies:",
    # and an editor read the second as renamed to another list's label.
    text = merge(
        corpus_paths("VoltAgent/documentation-engineer", "VoltAgent/technical-writer")
    ).text
    assert "\nContent strategies:\n" in text and "\nContent strategy:\n" in text


@needs_corpus
def test_each_source_s_report_follows_the_lists_it_wrote_before_it() -> None:
    # qa-expert and test-automator each write "<kind> patterns:" then "Progress tracking:";
    # test-automator's report followed qa-expert's lists only, so its "Automation
    # patterns:" came after it (an editor read it as moved past the report).
    text = merge(corpus_paths("VoltAgent/qa-expert", "VoltAgent/test-automator")).text
    workflow = text.split("## Workflow", 1)[1]
    assert workflow.index("\nAutomation patterns:\n") < workflow.rindex("\nProgress tracking:\n")


def test_two_sources_ways_of_one_middle_step_are_one_step() -> None:
    # Two sources' step 1s no series unites are one step, each way after a semicolon; their
    # last steps are alternatives.
    first = invoked(
        "data-a",
        "Analyze performance metrics while tracking replication status",
        "Implement solutions ensuring reliability",
    )
    second = invoked(
        "data-b",
        "Analyze data volume, access patterns, and query complexity",
        "Implement comprehensive performance improvements",
    )
    lines = numbered_lines(merge_agents([first, second]).text)
    assert lines == [
        "1. Analyze performance metrics while tracking replication status; analyze data "
        "volume, access patterns, and query complexity",
        "2. Implement solutions ensuring reliability, and implement comprehensive performance "
        "improvements",
    ]


def test_a_listed_trigger_takes_another_source_s_cases_as_items() -> None:
    # A merged agent's description lists its cases; merged again with another agent, the
    # other's trigger is one more item, not a second list.
    listed = "Use this agent:\n- when designing React components\n- PROACTIVELY for hooks."
    first = yaml.safe_dump({"name": "react-a", "description": listed})
    second = "name: react-b\ndescription: Use when profiling slow renders in React apps.\n"
    agents = [
        parse(loads(f"---\n{head}---\n- {body}\n", f"{n}.md"))
        for n, head, body in (("a", first, "Use hooks"), ("b", second, "Use memo"))
    ]
    description = dict(merge_agents(agents).agent.frontmatter)["description"]
    assert description == (
        "Use this agent:\n- when designing React components\n- PROACTIVELY for hooks\n"
        "- when profiling slow renders in React apps."
    )


@cache
def incident_responders_merged() -> str:
    """VoltAgent's two incident responders, merged once for the tests that read them."""
    return merge(
        corpus_paths("VoltAgent/incident-responder", "VoltAgent/devops-incident-responder")
    ).text


@needs_corpus
def test_a_verb_saying_only_with_is_no_second_verb() -> None:
    # VoltAgent's incident responders: "Collaborate with sre-engineer on reliability" and
    # "Work with sre-engineer on incidents" were "Collaborate and work with ...", awkward
    # to two editors; "collaborate" says only "with".
    text = incident_responders_merged()
    assert "- Work with sre-engineer on reliability incidents\n" in text
    assert "Collaborate and work with" not in text


def test_more_ways_of_one_step_than_a_step_holds_stay_steps() -> None:
    # A merge of a whole collection gave "When invoked" steps of 7,000 characters: beyond
    # step_ways_max sources' ways, each is a step of its own.
    ends = [
        "Implement caching while profiling memory",
        "Deliver reports that stakeholders trust",
        "Ship dashboards after reviewing metrics",
        "Write migrations with rollback scripts",
    ]
    sources = [invoked(f"agent-{k}", end) for k, end in enumerate(ends)]
    assert len(numbered_lines(merge_agents(sources).text)) == 4


def test_a_list_writes_its_labels_alike() -> None:
    # lst97's deployment-engineer writes "Security Integration: SAST/DAST scanning, ..." and
    # "**Security & Compliance:** Integrate security scanning ..."; in one merged list, three
    # editors read the two styles as broken.
    capabilities = (
        "---\nname: a\n---\n## Core Competencies\n\n"
        "- Security Integration: SAST/DAST scanning, secrets management\n"
        "- Note on tooling for reviews\n"
    )
    competencies = (
        "---\nname: b\n---\n## Core Competencies\n\n"
        "- **Security & Compliance:** Integrate security scanning into pipelines\n"
        "- **Test Pyramid**: Balance unit and end-to-end suites\n"
    )
    text = merge_agents(
        [parse(loads(capabilities, "a.md")), parse(loads(competencies, "b.md"))]
    ).text
    assert "- **Security Integration:** SAST/DAST scanning, secrets management\n" in text
    assert "- **Security & Compliance:** Integrate security scanning into pipelines\n" in text
    assert "- Note on tooling for reviews\n" in text
    # The colon inside the bold as well (the qa editor read "**X**:" beside "**X:**").
    assert "- **Test Pyramid:** Balance unit and end-to-end suites\n" in text


@needs_corpus
def test_two_sources_opening_phases_are_one_phase() -> None:
    # VoltAgent's incident responders open with "### 1. Preparedness Analysis" and "### 1.
    # Response Readiness"; merged, they were phases 1 and 2 before the shared
    # implementation phase, and an editor read each as a step after the other.
    text = incident_responders_merged()
    assert "**1. Preparedness Analysis and Response Readiness.** Assess incident readiness" in text
    assert "**2. Implementation Phase.**" in text and "**4." not in text
    # "Achieve world-class incident management." beside "Achieve exceptional incident
    # management capabilities." is one phrase.
    assert "Achieve world-class and exceptional incident management capabilities." in text


def test_examples_are_laid_out_alike(merged: MergeResult) -> None:
    # The seeds write their examples on one line (backend-architect), indented
    # (backend-developer) or flush left: an editor read the mix in one description as broken.
    described = str(frontmatter.loads(merged.text)["description"])
    examples = described.split("<example>")[1:]
    assert len(examples) == 4
    for example in examples:
        lines = example.strip("\n").splitlines()
        assert lines[0].startswith("Context: ") and lines[1].startswith("user: ")
        assert lines[2].startswith("assistant: ") and lines[3] == "<commentary>"
        assert all(line == line.lstrip() for line in lines)


def test_a_sentence_run_into_the_next_is_spaced_in_the_description() -> None:
    # lst97's nextjs-pro: "... SEO-friendly web applications.Leverages the full potential of
    # Next.js ...", read as broken by two editors; a name ("React.Component") is as written.
    described = str(
        merged_description_of(
            "Builds web applications.Leverages React.Component patterns.",
            "Use this agent when profiling slow renders.",
        )
    )
    assert "web applications. Leverages React.Component patterns." in described


@needs_corpus
def test_the_context_query_opens_the_workflow() -> None:
    # VoltAgent's "## Communication Protocol" holds the context query the agent sends first;
    # under "## Communication" two editors read it as part of team collaboration, one as
    # some 270 lines from the step that runs it. It opens the workflow, before the phases.
    text = merged_corpus("VoltAgent/deployment-engineer", "VoltAgent/devops-engineer")
    workflow = text.split("\n## Workflow\n", 1)[1]
    assert workflow.index("Deployment context query:") < workflow.index("**1. ")
    assert "context query:" not in text.split("\n## Communication\n", 1)[1].split("\n## ")[0]


def test_planning_a_practice_is_said_only_where_written() -> None:
    # "planning" is a stop word ("Plan for rate limiting" plans): "Test planning" folded into
    # "Exploratory testing" as said by it, and the practice was gone with no word counted lost.
    text = merge_agents(
        [
            competencies("qa-a", "Test planning", "Defect triage"),
            competencies("qa-b", "Exploratory testing", "Bug bashes"),
        ]
    ).text
    assert "- Test planning\n" in text and "- Exploratory testing\n" in text


def test_other_sources_work_with_one_partner_is_one_line() -> None:
    # VoltAgent's deployment and devops engineers: "Partner with cloud-architect on cloud
    # deployments" and "Support cloud-architect with automation"; four editors read the
    # partner listed twice as said twice. One author's two lines stay its own.
    def working(name: str, *lines: str) -> Agent:
        items = "".join(f"- {line}\n" for line in lines)
        text = f"---\nname: {name}\n---\n## Team\n\nIntegration with other agents:\n\n{items}"
        return parse(loads(text, f"{name}.md"))

    text = merge_agents(
        [
            working("deployer", "Partner with cloud-architect on cloud deployments"),
            working(
                "devops",
                "Support cloud-architect with automation",
                "Help devops-engineer on deployment",
                "Help devops-engineer with runbooks",
            ),
            working("sre", "Help devops-engineer on monitoring"),
            working("storage", "Guide cloud-architect on databases"),
        ]
    ).text
    assert (
        "- Partner with cloud-architect on cloud deployments and support it with automation,"
        " and guide it on databases\n" in text  # a comma before the third way
    )
    assert "- Help devops-engineer on deployment and monitoring\n" in text
    assert "- Help devops-engineer with runbooks\n" in text


@needs_corpus
def test_a_subsection_of_words_only_keeps_its_title() -> None:
    # lst97's backend-architect writes its deliverables as "### Executive Summary" over a
    # sentence: merged with another agent, the sentences sat under "## Output Format" with
    # no title saying which deliverable each describes.
    merged = merge([*corpus_paths("lst97/backend-architect"), SEEDS[0]]).text
    output = merged.split("\n## Output Format\n", 1)[1]
    assert "\n### Executive Summary\n\nA brief, high-level overview" in output
    assert "\n### Service Definitions\n\nA breakdown of each microservice" in output
    # ... and only there, not also as the introduction of "### 4. API Contracts"'s list.
    assert merged.count("A breakdown of each microservice") == 1
    assert merge_agents([parse(loads(merged, "merged.md"))]).text == merged  # read back alike


def test_a_subsection_titled_as_its_merged_section_is_its_words() -> None:
    agent = "---\nname: a\n---\n## Output\n\n- Code\n\n### Output Format\n\nCode in one block.\n"
    merged = merge_agents([parse(loads(agent, "a.md"))]).text
    assert "###" not in merged
    assert "\nCode in one block.\n" in merged


@needs_corpus
def test_a_plain_list_among_lead_ins_lists_keeps_its_title() -> None:
    # 0xfurai's terraform-expert "## Approach" list opened "## Workflow" bare, above
    # VoltAgent's context query and phases: read as the procedure's first steps.
    merged = merged_corpus(
        "0xfurai/terraform-expert", "VoltAgent/cloud-architect", "lst97/cloud-architect"
    )
    workflow = section_of(merged, "Workflow")
    assert "\nApproach:\n\n- Start with defining resources in a main.tf" in workflow
    # ... after VoltAgent's context query, written before its own lists (four editors read
    # the principles wedged before the query as the first steps).
    assert workflow.index("Architecture context query:") < workflow.index("\nApproach:\n")


@needs_corpus
def test_a_plain_list_joins_the_lead_ins_list_of_its_title() -> None:
    # 0xfurai's terraform-expert "## Focus Areas" items sat bare at the top of Core
    # Responsibilities, away from lst97's "Focus Areas:" list of the same section.
    merged = merged_corpus(
        "0xfurai/terraform-expert", "VoltAgent/cloud-architect", "lst97/cloud-architect"
    )
    focus = merged.split("\nFocus Areas:\n\n", 1)[1].split("\n\n", 1)[0]
    assert focus.startswith("- **Cloud Platforms:** Deep expertise")
    assert "\n- Write clean and maintainable Terraform configuration files.\n" in focus
    assert merged.count("Focus Areas:") == 1


def test_a_persona_made_a_case_leaves_no_fragment() -> None:
    # 0xfurai's descriptions: "Expert in TypeScript specializing in type safety, ..." and
    # "Expert in writing idiomatic Rust code ... Masters ownership, ...": beside a source's
    # "Use when ...", the persona is one more case and what it masters is the agent's.
    described = merged_description_of(
        "Use when building Rust systems where memory safety, zero-cost abstractions and"
        " performance optimization are critical for embedded development.",
        "Expert in Rust specializing in safety and concurrency. Masters ownership,"
        " borrowing concepts, and Rust's type system.",
    )
    assert described == (
        "Use this agent:\n- when building Rust systems where memory safety, zero-cost"
        " abstractions and performance optimization are critical for embedded development\n"
        "- for Rust, especially safety and concurrency.\n\n"
        "It masters ownership, borrowing concepts, and Rust's type system."
    )


@needs_corpus
def test_a_summary_of_capabilities_opens_its_section_s_lists() -> None:
    # lst97's golang-pro "Key Capabilities:" (under its Role and Expertise) sat between
    # VoltAgent's "Build and tooling:" and "Advanced Concurrency" lists: read as buried.
    merged = merged_corpus("0xfurai/go-expert", "VoltAgent/golang-pro", "lst97/golang-pro")
    core = section_of(merged, "Core Responsibilities")
    lead_ins = [line for line in core.splitlines() if line.endswith(":") and line[:1] != "-"]
    assert lead_ins[0] == "Key Capabilities:"


def test_a_group_stays_an_item_among_its_kin() -> None:
    # lst97's python-pro "### Output Format": "**Code:**", "**Tests:**", then "**Analysis and
    # Documentation:**" over its items; written as a lead-in after the merged list, three
    # editors read it as broken off from its siblings.
    lst = "- **Code:** Clean code.\n- **Tests:** Unit tests.\n- **Analysis:**\n  - Use tables.\n"
    agents = [
        parse(loads(f"---\nname: {name}\n---\n## Output Format\n\n{body}", f"{name}.md"))
        for name, body in (("lst", lst), ("vol", "- Benchmark results\n"))
    ]
    text = merge_agents(agents).text
    assert "- Benchmark results\n- **Analysis:**\n  - Use tables.\n" in text  # one tight list
    assert merge_agents([parse(loads(text, "merged.md"))]).text == text


@needs_corpus
def test_a_group_after_another_list_keeps_its_lead_in() -> None:
    # Beside "Key Capabilities:", "- **Service Boundaries and Responsibilities:**" would read
    # as one more capability.
    text = merge(corpus_paths("lst97/architect-review", "lst97/code-reviewer")).text
    assert "\nService Boundaries and Responsibilities:\n\n- Does each service" in text


@needs_corpus
def test_an_author_s_rule_is_no_detail_of_its_own_topic() -> None:
    # 0xfurai's rust-expert: "Use pattern matching for clear and concise logic" (Approach)
    # was folded into "Pattern matching and control flow" (Focus Areas) as "concise logic".
    text = merge(corpus_paths("0xfurai/rust-expert", "VoltAgent/rust-engineer")).text
    assert "\n- Pattern matching and control flow\n" in text
    assert "\n- Use pattern matching for clear and concise logic\n" in text


def test_a_sub_section_s_lead_in_keeps_its_title() -> None:
    # lst97's "### 3. Decision Making" over "When multiple solutions exist, prioritize in
    # this order:": the title was lost, and two editors read the ranks as part of the
    # "Technical Standards:" before them. A sentence saying its title needs none.
    body = (
        "## Philosophy\n\n### Decision Making\n\nWhen multiple solutions exist, prioritize in"
        " this order:\n\n1. Testability\n2. Readability\n\n### API Design Principles\n\n"
        "When designing APIs:\n\n- Version every API\n"
    )
    agents = [
        parse(loads(f"---\nname: {name}\n---\n{text}", f"{name}.md"))
        for name, text in (("lst", body), ("vol", "## Principles\n\n- Keep it simple\n"))
    ]
    text = merge_agents(agents).text
    assert "\n**Decision Making.** When multiple solutions exist, prioritize in this order:\n" in (
        text
    )
    assert "\nWhen designing APIs:\n" in text
    assert text.count("When multiple solutions exist") == 1
    assert merge_agents([parse(loads(text, "merged.md"))]).text == text


@needs_corpus
def test_an_author_s_items_of_two_lists_stay_in_their_lists() -> None:
    # 0xfurai's typescript-expert: "Always enable strict type checking for maximum safety"
    # (its Approach) was written among its Focus Areas, beside "Strict type safety and type
    # inference"; an editor read the rule as misplaced.
    text = merged_corpus(
        "0xfurai/typescript-expert", "VoltAgent/typescript-pro", "lst97/typescript-pro"
    )
    approach = text.split("\nApproach:\n\n", 1)[1].split("\n\n", 1)[0]
    assert "- Always enable strict type checking for maximum safety" in approach.splitlines()
    assert "- Strict type safety and type inference" not in approach.splitlines()
