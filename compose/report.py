"""Report: a clustering -> what overlaps where, as data (JSON contract v1) and as text."""

from __future__ import annotations

from typing import Any

from compose.cluster import Clustering

JSON_VERSION = 1


def report_data(clustering: Clustering) -> dict[str, Any]:
    """JSON contract v1: every list item of every input in exactly one cluster."""
    return {
        "version": JSON_VERSION,
        "agents": [
            {"name": a.name, "path": a.path, "bullets": len(a.bullets)} for a in clustering.agents
        ],
        "clusters": [
            {
                "id": c.id,
                "topic": c.topic,
                "score": c.score,
                "representative": c.representative.text,
                "terms": list(c.terms),
                "members": [
                    {"agent": m.agent, "section": m.section, "text": m.text, "line": m.line}
                    for m in c.members
                ],
            }
            for c in clustering.clusters
        ],
    }
