from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import textwrap
from dataclasses import replace

import numpy as np
import pytest

from compose.clustering import Settings, cluster, default_tuning
from compose.clustering.embedding import COSINE_DIGITS, _known, cosine, embed
from compose.errors import DuplicateAgentError
from compose.load import load, loads
from compose.parse import Agent, parse
from compose.report import build_report, report_data
from tests.conftest import CORPUS, ROOT, SEEDS, needs_corpus


@pytest.fixture(scope="module")
def seeds() -> list[Agent]:
    return [parse(load(path)) for path in SEEDS]


def agent(name: str, body: str) -> Agent:
    return parse(loads(f"---\nname: {name}\n---\n" + textwrap.dedent(body), f"{name}.md"))


def texts_together(agents: list[Agent], *texts: str) -> bool:
    clustering = cluster(agents)
    owner = {m.text: c.id for c in clustering.clusters for m in c.members}
    return len({owner[t] for t in texts}) == 1


def test_every_bullet_is_in_exactly_one_cluster(seeds: list[Agent]) -> None:
    clustering = cluster(seeds)
    ids = [m.id for c in clustering.clusters for m in c.members]
    assert len(ids) == len(set(ids)) == sum(len(a.bullets) for a in seeds) == 271


def test_same_statements_across_seeds_cluster_together(seeds: list[Agent]) -> None:
    assert texts_together(
        seeds,
        "Design RESTful and GraphQL APIs following industry best practices",
        "Design REST or GraphQL APIs with intuitive resource naming and clear hierarchies",
    )
    assert texts_together(
        seeds,
        "Implement caching strategies (Redis, Memcached, application-level caching)",
        "Implement caching strategies using Redis, Memcached, and application-level caching",
        "Implement appropriate caching mechanisms (Redis, Memcached)",
    )
    assert texts_together(
        seeds,
        "Implement rate limiting, throttling, and API security measures",
        "Plan for rate limiting and throttling",
    )


def test_unrelated_statements_stay_apart(seeds: list[Agent]) -> None:
    assert not texts_together(
        seeds,
        "Implement CORS policies appropriately",
        "Strangler fig pattern for legacy system migration",
    )


def test_anti_patterns_never_merge_into_recommendations() -> None:
    good = agent("good", "## Performance\n- Optimise queries and avoid N+1 query problems\n")
    bad = agent("bad", "## Red Flags to Avoid\n- N+1 query problems\n")
    clustering = cluster([good, bad], Settings(threshold=0.05))
    assert len(clustering.clusters) == 2
    assert {c.negative for c in clustering.clusters} == {True, False}


def test_clusters_do_not_chain_through_a_bridging_bullet() -> None:
    a = agent("a", "- Cache responses in Redis\n")
    b = agent("b", "- Cache responses in Redis and rotate TLS certificates\n")
    c = agent("c", "- Rotate TLS certificates\n")
    clustering = cluster([a, b, c], Settings(threshold=0.3))
    sizes = sorted(len(cl.members) for cl in clustering.clusters)
    assert sizes != [3]


def test_deterministic_across_file_orders(seeds: list[Agent]) -> None:
    reference = json.dumps(report_data(build_report(cluster(seeds))))
    for order in itertools.islice(itertools.permutations(seeds), 0, 120, 17):
        assert json.dumps(report_data(build_report(cluster(list(order))))) == reference


def test_scores_do_not_depend_on_string_hashing() -> None:
    # Last-bit differences in a sum decide ties between equal scores, so they must not move
    # with Python's per-process string hash seed.
    script = (
        "import sys\n"
        "from compose.api import load_agents\n"
        "from compose.clustering import cross_similarity\n"
        "agents = load_agents(sys.argv[1:]).agents\n"
        "print(sorted(cross_similarity(agents[0].bullets, agents[1].bullets).items()))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script, *map(str, SEEDS[:2])],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


def test_pinned_decisions(seeds: list[Agent]) -> None:
    by_text = {b.text: b for a in seeds for b in a.bullets}
    cors = by_text["Implement CORS policies appropriately"].id
    headers = by_text["Add security headers (CSP, HSTS, X-Frame-Options)"].id
    joined = cluster(seeds, Settings(same=((cors, headers),))).cluster_of()
    assert joined[cors] is joined[headers]
    first = by_text["Design RESTful and GraphQL APIs following industry best practices"].id
    second = [
        b.id
        for a in seeds
        for b in a.bullets
        if b.text
        == by_text["Design RESTful and GraphQL APIs following industry best practices"].text
        and b.id != first
    ]
    apart = cluster(seeds, Settings(separate=((first, second[0]),))).cluster_of()
    assert apart[first] is not apart[second[0]]


def test_duplicate_agent_names_are_refused(seeds: list[Agent]) -> None:
    with pytest.raises(DuplicateAgentError, match="backend-master"):
        cluster([seeds[3], seeds[3]])


def test_cluster_explains_itself(seeds: list[Agent]) -> None:
    clustering = cluster(seeds)
    merged = [c for c in clustering.clusters if len(c.members) > 1]
    assert merged
    for c in merged:
        assert 0 < c.score <= 1 and c.terms and c.least_similar is not None
        assert c.representative in c.members


def test_json_contract_v1(seeds: list[Agent]) -> None:
    data = report_data(build_report(cluster(seeds)))
    assert data["version"] == 1
    assert [a["name"] for a in data["agents"]] == sorted(a.name for a in seeds)
    for c in data["clusters"]:
        assert set(c) == {"id", "topic", "score", "representative", "terms", "members"}
        assert isinstance(c["id"], str) and isinstance(c["score"], float)
        assert all(set(m) == {"agent", "section", "text", "line"} for m in c["members"])
    assert sum(len(c["members"]) for c in data["clusters"]) == 271


def test_corpus_clusters_every_bullet_once(corpus_agents: tuple[Agent, ...]) -> None:
    clustering = cluster(corpus_agents)
    ids = [m.id for c in clustering.clusters for m in c.members]
    assert len(ids) == len(set(ids)) == sum(len(a.bullets) for a in corpus_agents)


def test_scoring_on_several_cores_equals_one(
    seeds: list[Agent], monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = cluster(seeds)
    monkeypatch.setattr("compose.clustering.features.PARALLEL_MIN_ITEMS", 10)
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert cluster(seeds) == serial


def test_checklist_items_need_the_same_practice_not_a_shared_word() -> None:
    a = agent("a", "## Performance\n- Performance monitoring\n- Rate limiting configured\n")
    b = agent("b", "## Performance\n- Performance benchmarks\n- Rate limiting per endpoint\n")
    assert not texts_together([a, b], "Performance monitoring", "Performance benchmarks")
    assert texts_together([a, b], "Rate limiting configured", "Rate limiting per endpoint")


def test_a_list_of_practices_is_not_the_one_practice_it_shares(seeds: list[Agent]) -> None:
    compound = "Handle API rate limiting, exponential backoff, and graceful degradation"
    assert not texts_together(seeds, compound, "Implement rate limiting to prevent abuse")
    assert not texts_together(seeds, compound, "Plan for rate limiting and throttling")
    # A list that one bullet mostly names still joins it.
    assert texts_together(
        seeds,
        "Implement rate limiting, throttling, and API security measures",
        "Plan for rate limiting and throttling",
    )


def test_items_of_one_list_that_differ_only_in_stop_words_stay_apart() -> None:
    a = agent(
        "a", "## Benchmark\n- **Before:** ~[Execution Time]ms\n- **After:** ~[Execution Time]ms\n"
    )
    b = agent("b", "## Benchmark\n- Execution time\n")
    assert not texts_together([a, b], "Before: ~[Execution Time]ms", "After: ~[Execution Time]ms")


def test_a_testing_item_is_not_the_practice_it_tests() -> None:
    a = agent("a", "## Testing methodology\n- Contract testing for APIs\n- Load testing\n")
    b = agent("b", "## Service implementation\n- API contract definition\n- Load testing done\n")
    assert not texts_together([a, b], "Contract testing for APIs", "API contract definition")
    assert texts_together([a, b], "Load testing", "Load testing done")


def test_clusters_grow_past_the_blocking_neighbour_limit() -> None:
    # Every bullet proposes only NEIGHBOURS candidates; linkage scores the rest on demand.
    agents = [agent(f"agent-{n:02}", "- Use Redis for caching hot reads\n") for n in range(30)]
    clustering = cluster(agents)
    assert [len(c.members) for c in clustering.clusters] == [30]


@needs_corpus
def test_an_agents_own_tool_reads_as_another_agents_own_tool() -> None:
    testing = CORPUS / "0xfurai+claude-code-subagents" / "agents"
    jest, vitest = (parse(load(testing / f"{name}-expert.md")) for name in ("jest", "vitest"))
    clustering = cluster([jest, vitest])
    owner = {m.text: c for c in clustering.clusters for m in c.members}
    pair = owner["Configuring Jest for different environments"]
    assert pair is owner["Configuring Vitest for different environments"]
    # The explanation names words the members say, not the placeholder they share.
    assert "configuring" in pair.terms and all("@" not in t for t in pair.terms)
    # ... and a word once: "ci/cd", not also "ci" and "cd".
    terms = owner["Integrating Jest with CI/CD pipelines"].terms
    assert "ci/cd" in terms and not {"ci", "cd"} & set(terms)


def test_a_tool_is_an_agents_own_subject_only_when_it_is_named_after_it() -> None:
    jest = agent("jest-expert", "## Skills\n- Configuring Jest reporters\n- Jest watch mode\n")
    twin = "## Skills\n- Configuring Vitest reporters\n- Vitest watch mode\n"

    def score(other: Agent) -> float:
        owner = {m.text: c for c in cluster([jest, other]).clusters for m in c.members}
        pair = owner["Configuring Jest reporters"]
        return pair.score if len(pair.members) == 2 else 0.0

    # Both tools are their agents' own subjects: the lines say the same thing. In docs-writer
    # Vitest is a tool like any other, and the lines differ by it.
    assert score(agent("vitest-expert", twin)) == 1.0
    assert score(agent("docs-writer", twin)) < 0.8


def test_the_folder_that_tells_two_agents_apart_is_not_their_subject() -> None:
    # Two backend-architects told apart by folder ("x (development)"): the folder's word is
    # not what either agent is about, so the same line in both still matches in full.
    line = "## Builds\n- Keep Development and Production builds apart\n"
    first = agent("backend-architect (development)", line)
    second = agent("backend-architect (core)", line)
    (pair,) = [c for c in cluster([first, second]).clusters if len(c.members) == 2]
    assert pair.score == 1.0


def test_opposite_stances_never_cluster_and_are_reported_as_conflicts() -> None:
    a = agent("a", "- Always use ORMs for database access\n- Cache with Redis\n- Validate input\n")
    b = agent("b", "- Never use ORMs for database access\n- Do not cache with Redis\n")
    clustering = cluster([a, b])
    assert not texts_together(
        [a, b], "Always use ORMs for database access", "Never use ORMs for database access"
    )
    assert not texts_together([a, b], "Cache with Redis", "Do not cache with Redis")
    pairs = {(c.forbids.text, c.recommends.text) for c in clustering.conflicts}
    assert pairs == {
        ("Never use ORMs for database access", "Always use ORMs for database access"),
        ("Do not cache with Redis", "Cache with Redis"),
    }
    assert (
        "b:4 forbids what a:4 recommends"
        in clustering.conflicts[0].summary() + clustering.conflicts[1].summary()
    )


def test_an_anti_pattern_list_agrees_with_a_practice_and_is_no_conflict() -> None:
    a = agent("a", "## Anti-Patterns\n- N+1 query problems\n")
    b = agent("b", "## Performance\n- Detect N+1 query problems\n")
    assert cluster([a, b]).conflicts == ()


def test_tuning_reaches_the_similarity(seeds: list[Agent]) -> None:
    """A record passed in Settings is the one the pair scores use: with no weight on any
    signal nothing clears the threshold, and every bullet stands alone."""
    silent = replace(default_tuning(), cosine_weight=0, containment_weight=0, token_weight=0)
    clustering = cluster(seeds, Settings(tuning=silent))
    assert all(len(c.members) == 1 for c in clustering.clusters)


def test_the_embedding_joins_a_paraphrase_the_words_alone_miss(seeds: list[Agent]) -> None:
    texts = (
        "Design REST or GraphQL APIs with intuitive resource naming and clear hierarchies",
        "Designing clean, maintainable API architectures (REST, GraphQL, gRPC)",
    )

    def together(settings: Settings) -> bool:
        owner = {m.text: c.id for c in cluster(seeds, settings).clusters for m in c.members}
        return owner[texts[0]] == owner[texts[1]]

    assert together(Settings())
    assert not together(Settings(semantic=False))


def test_a_text_embeds_the_same_alone_or_among_others() -> None:
    """A vector depends on its text only, so clusters do not depend on what is read beside it;
    cosines are rounded, so a score is the same on every machine."""
    text = "Use Redis for caching hot reads"
    alone = embed([text])[0].copy()
    _known.clear()
    among = embed(["Write unit tests", text, "", "Monitor p99 latency"])
    assert np.array_equal(alone, among[1])
    assert not among[2].any()  # a text with no token is alike to nothing
    assert cosine(among[0], among[1]) == round(cosine(among[0], among[1]), COSINE_DIGITS)


def test_the_model_loads_and_clusters_with_the_network_unreachable() -> None:
    """Nothing downloads at run time: the model is read from the installed wheel's files."""
    script = textwrap.dedent(
        """
        import socket

        def refuse(*args, **kwargs):
            raise OSError("network blocked by the test")

        socket.socket.connect = refuse
        socket.socket.connect_ex = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse

        from compose.clustering import cluster
        from compose.load import load
        from compose.parse import parse
        from tests.conftest import SEEDS

        clustering = cluster([parse(load(p)) for p in SEEDS])
        print(clustering.settings.semantic, len(clustering.clusters))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "True"
