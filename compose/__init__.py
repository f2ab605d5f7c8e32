"""compose: deduplicate, merge, report on and diff Claude Code subagent definitions.

Library entry points (imported on first use, so `import compose` stays cheap):

    compose.merge(paths, name=None, model=None, threshold=..., provenance=False) -> MergeResult
    compose.overlap(paths, threshold=...) -> Clustering
    compose.load_agents(paths) -> Loaded
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "load_agents", "merge", "overlap"]


def __getattr__(name: str) -> Any:
    if name in ("merge", "overlap", "load_agents"):
        from compose import api

        return getattr(api, name)
    raise AttributeError(f"module 'compose' has no attribute {name!r}")
