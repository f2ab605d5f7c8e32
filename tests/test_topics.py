from __future__ import annotations

import pytest

from compose.topics import classify


@pytest.mark.parametrize(
    ("title", "topic"),
    [
        # The keyword that occurs first decides ...
        ("Database Architecture & Optimization", "data"),
        ("### 2. API Design Principles", "api-design"),
        # ... but a "don't" list is never read as a "do" list ...
        ("Performance Red Flags to Avoid", "anti-patterns"),
        # ... and testing a topic is testing work: "API testing" sat under "## API Design".
        ("API testing:", "testing"),
        ("Security Testing", "testing"),
        ("Performance tests", "testing"),
        ("Test data management", "testing"),
        ("API automation:", "api-design"),
        ("Something else entirely", "other"),
    ],
)
def test_a_title_gets_the_topic_it_names(title: str, topic: str) -> None:
    assert classify(title) == topic
