from __future__ import annotations

from pathlib import Path

import pytest

from compose.api import load_agents
from compose.parse import Agent

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


needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="../shared/corpus is not beside this checkout"
)


@pytest.fixture(scope="session")
def corpus_agents() -> tuple[Agent, ...]:
    """Every corpus agent, loaded and parsed once for the whole session."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not beside this checkout")
    return load_agents([CORPUS]).agents
