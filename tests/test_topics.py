from __future__ import annotations

import pytest

from compose.topics import classify, is_kind, names_items, written_in


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
        # ... as a workflow on a topic is a workflow (VoltAgent graphql-architect's phases
        # sat under Architecture, after "When invoked:" in Workflow).
        ("Architecture Design Workflow", "workflow"),
        ("Testing methodology:", "testing"),
        # A development philosophy is principles, not a development workflow.
        ("Core Development Philosophy", "principles"),
        # An activity opening a title is a step of the work; closing one after what it is
        # about, it is not: "SEO implementation:" sat between "When invoked:" and the phases.
        ("Implementation approach:", "workflow"),
        ("Analysis priorities:", "workflow"),
        ("SEO implementation:", "other"),
        ("Dependency analysis:", "other"),
        ("When Providing Solutions:", "workflow"),
        # Rules the work keeps are no practices: lst97 frontend-developer's "### **Constraints**"
        # ("All code must be written in TypeScript") sat among its Core Responsibilities.
        ("**Constraints**", "constraints"),
        ("Constraints & Guidelines", "constraints"),
        # Cost is operations (FinOps): VoltAgent's "Cost optimization:" sat alone under
        # "## Performance and Scalability" (an editor: "cost is not performance").
        ("Cost optimization:", "deployment"),
        ("Performance optimization:", "performance"),
        # VoltAgent's database agents: what their lists are about, not what the agent does
        # (twelve lists sat under "## Core Responsibilities"; "Index design patterns:" was
        # Architecture, away from "Index strategy:").
        ("Index design patterns:", "data"),
        ("Transaction management:", "data"),
        ("Replication tuning:", "data"),
        ("Window functions excellence:", "data"),
        ("Configuration tuning:", "performance"),
        # "auth" began "authoring": VoltAgent's "Library authoring:" sat alone under Security.
        ("Library authoring:", "other"),
        # "template" named the output only in titles that say "output" anyway; it put
        # VoltAgent's "Pipeline templates:" (a catalog) among the deliverables.
        ("Pipeline templates:", "deployment"),
        ("Template metaprogramming:", "other"),
        # Beside "Canary deployment:" and "Blue-green deployment:", not a responsibility.
        ("Feature flags:", "deployment"),
        ("Authorization:", "security"),
        ("Something else entirely", "other"),
    ],
)
def test_a_title_gets_the_topic_it_names(title: str, topic: str) -> None:
    assert classify(title) == topic


@pytest.mark.parametrize(
    ("title", "names"),
    [
        ("Quality Checklist", True),
        ("PowerShell Hardening Review Checklist", True),
        ("Acceptance criteria", True),
        ("Focus Areas", False),
        ("Checklists and templates", True),
    ],
)
def test_a_title_that_says_what_its_items_are(title: str, names: bool) -> None:
    assert names_items(title) is names


def test_deliverables_and_anti_patterns_are_kinds_of_items_not_subjects() -> None:
    assert is_kind("output-format") and is_kind("anti-patterns") and is_kind("constraints")
    assert not is_kind("workflow") and not is_kind("data") and not is_kind("no-such-topic")


def test_a_procedure_is_written_in_workflow_and_compared_as_its_words_say() -> None:
    # lst97's "### Standard Operating Procedure" under "## Core Competencies": its steps sat
    # under Core Responsibilities.
    assert written_in("Standard Operating Procedure", "responsibilities") == "workflow"
    assert classify("Standard Operating Procedure") == "other"
    assert written_in("Focus Areas", "responsibilities") == "responsibilities"


def test_who_the_agent_works_with_is_written_with_its_integrations() -> None:
    # VoltAgent's "Integration with other agents:" closes its workflow; three editors read
    # it as misplaced there, four more its list under Communication, away from the MCP
    # servers. A title must end in the home's words: "AI Agents" is no home.
    assert written_in("Integration with other agents:", "workflow") == "integration"
    assert written_in("AI Agents", "architecture") == "architecture"


def test_a_quality_checklist_heading_is_written_with_the_testing() -> None:
    # 0xfurai's "## Quality Checklist" sat among the responsibilities (six editors); its
    # items are still compared as responsibilities (clustering), and a phase's "Quality
    # checklist:" sentence stays with its phase.
    assert classify("Quality Checklist") == "responsibilities"
    assert written_in("Quality Checklist", "responsibilities", heading=True) == "testing"
    assert written_in("Quality checklist:", "workflow") == "workflow"
