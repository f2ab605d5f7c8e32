from __future__ import annotations

import pytest

from compose.terms import (
    checklist_core,
    compound_parts,
    content_terms,
    is_checklist_item,
    named_terms,
    prohibits,
    section_role,
    surface_forms,
    term_counts,
)
from compose.tuning import term_tuning


def test_fillers_are_matched_at_a_low_weight_not_dropped() -> None:
    assert content_terms("Performance requirements") == ("perform",)
    assert term_counts("Performance requirements") == {
        "perform": 1.0,
        "requir": term_tuning().filler_weight,
    }


def test_a_collaboration_verb_is_a_filler_only_before_its_partner() -> None:
    # VoltAgent's incident-responder "Coordinate communication" (an implementation step)
    # was folded into devops-incident-responder's "Improve communication" as said by it,
    # and an editor read it as lost: running communication is not building it.
    assert content_terms("Coordinate with sre-engineer on alerts") == content_terms(
        "with sre-engineer on alerts"
    )
    assert content_terms("Coordinate communication") == ("coordin", "communic")


def test_checklist_states_say_nothing() -> None:
    assert content_terms("Circuit breakers implemented") == content_terms("Circuit breakers")


def test_manner_words_say_nothing() -> None:
    # The incident set's parallel lists: one practice, written three ways.
    forms = ["Document everything", "Document comprehensively", "Documentation thorough"]
    assert {content_terms(text) for text in forms} == {("document",)}


@pytest.mark.parametrize(
    ("texts", "term"),
    [
        (("Optimize test execution speed", "Keep test execution time minimal"), "speed"),
        (("Optimize test run times", "Optimizing test performance and speed"), "speed"),
        (("Proper use of beforeEach and afterEach", "Setup and teardown hooks"), "hook"),
        (("Execution plan analysis", "Execution plan analyses"), "analysi"),
        (("Run the app in a container", "Containerise every service"), "docker"),
        (("Recover from failures", "Backup and recovery"), "recoveri"),
        (("Break down the UI into components", "Decompose UI into components"), "decompos"),
        (("AsyncIO for I/O-bound concurrency", "Async/await for I/O"), "asynchron"),
    ],
)
def test_lexicon_reads_synonyms_as_one_term(texts: tuple[str, str], term: str) -> None:
    assert all(term in content_terms(text) for text in texts)


def test_british_spellings_read_as_american() -> None:
    assert content_terms("Optimise queries; normalise and analyse schemas") == content_terms(
        "Optimize queries; normalize and analyze schemas"
    )
    assert content_terms("Organisation-wide customisable authorisation") == content_terms(
        "Organization-wide customizable authorization"
    )
    # A cluster's explanation shows each shared term as written.
    british = "Optimise and analyse database queries"
    assert surface_forms(british)["optim"] == "optimise"
    assert set(content_terms(british)) <= set(surface_forms(british))
    # Words that end in -ise without being that spelling, and the plural of analysis.
    for word in ("enterprise", "expertise", "promised", "premises", "concise", "analyses"):
        assert content_terms(word) != content_terms(word.replace("is", "iz").replace("ys", "yz"))


@pytest.mark.parametrize(
    ("text", "core"),
    [
        ("Rate limiting per endpoint", ("rate", "limit")),
        ("Database query optimization", ("databas", "queri", "optim")),
        ("Feature flag integration", ("featur", "flag")),
        ("Caching layers (Redis, Memcached)", ("cach",)),
        ("Sync with performance-engineer on optimization", ("perform", "engin")),
        ("Authentication and authorization implementation", None),  # coordinated
        ("Implement rate limiting to prevent abuse of public endpoints", None),  # a sentence
        ("Monitoring: Recommend metrics", None),  # a labelled line
    ],
)
def test_checklist_core(text: str, core: tuple[str, ...] | None) -> None:
    assert checklist_core(text) == core


def test_checklist_items_are_short_unlabelled_lines() -> None:
    assert is_checklist_item("Load testing completed")
    assert not is_checklist_item("Design RESTful and GraphQL APIs following industry practices")
    assert not is_checklist_item("Security: threat model")


def test_compound_bullets_list_three_practices() -> None:
    assert compound_parts("Implement caching strategies, connection pooling, and batching")
    assert compound_parts("Security: Field-level authorization, complexity analysis, rate limits")
    assert not compound_parts("Use caching layers (Redis, Memcached, CDN)")  # details
    assert not compound_parts("Authentication and authorization")
    assert not compound_parts("Error handling and validation are robust and descriptive")  # no list


def test_compound_parts_count_the_label_as_a_part() -> None:
    parts = compound_parts("Security: Field-level authorization, complexity analysis, rate limits")
    assert parts is not None and len(parts) == 4
    assert {"rate", "limit"} <= parts[2] and "secur" in parts[3]
    assert compound_parts("Rate limiting and throttling") is None


def test_section_roles() -> None:
    testing = section_role("Testing methodology")
    assert testing is not None and testing.mentions == ("test",)
    collaboration = section_role("Integration with other agents")
    assert collaboration is not None and collaboration.mentions == ()
    assert section_role("API design checklist") is None
    # A docstring is documentation: "Comprehensive docstrings" names the work.
    documentation = section_role("Documentation and Explanation")
    assert documentation is not None and "docstring" in documentation.mentions


def test_named_terms_keep_technologies_as_written() -> None:
    assert named_terms("Hash passwords with bcrypt, Argon2, or scrypt") == (
        "bcrypt",
        "Argon2",
        "scrypt",
    )


def test_a_title_case_label_names_nothing_but_names() -> None:
    # lst97's "**Command, Coordinate, Control**: Lead the incident response": its words were
    # written as "(Coordinate, Control)" after another line.
    assert named_terms("Command, Coordinate, Control: Lead the incident response") == ()
    assert named_terms("JWT Authentication: Use short expiry with Redis") == ("JWT", "Redis")


@pytest.mark.parametrize(
    ("text", "forbids"),
    [
        ("Never use ORMs for database access", True),
        ("Do not cache with Redis", True),
        ("Storage Limitation: Don\u2019t keep data longer than necessary", True),
        ("\u274c DO NOT write code", True),
        ("API contracts must not be changed without updating documentation", True),
        ("Always use ORMs for database access", False),
        ("Jobs are stateless and do not rely on in-memory state", False),  # describes
        ("Hash passwords with bcrypt (never store plaintext)", False),  # an aside
        ("Security - Never compromise on security fundamentals", False),  # recommends
        ("Data Summary: Do not just present raw data tables.", False),  # asks for more
        ("Never and void types", False),  # TypeScript's never
        ("Validate input. Never trust user data.", False),  # the first sentence decides
    ],
)
def test_a_bullet_forbids_only_in_its_own_words(text: str, forbids: bool) -> None:
    assert prohibits(text) is forbids


def test_inflections_the_stemmer_splits_are_one_term() -> None:
    # Snowball stems "queuing" to "queu" and "queues" to "queue".
    assert "queue" in content_terms("message queuing systems")
    assert "queue" in content_terms("Use message queues")
