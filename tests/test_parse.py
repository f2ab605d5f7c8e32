from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compose.errors import ComposeError
from compose.load import load, loads
from compose.parse import Agent, bullet_id, outline, parse
from tests.conftest import FIXTURES, corpus_paths, needs_corpus


def seed(name: str) -> Agent:
    return parse(load(FIXTURES / f"{name}.md"))


BULLET_COUNTS = {
    "backend-architect": 30,
    "backend-developer": 46,
    "backend-engineer": 46,
    "backend-master": 45,
    "backend-specialist": 104,
}

SECTION_TITLES = {
    "backend-architect": [
        "API Design Excellence",
        "Database Architecture",
        "System Architecture",
        "Security Implementation",
        "DevOps and Deployment",
        "Performance Optimization",
        "Your Approach",
    ],
    "backend-developer": [
        "Your core responsibilities:",
        "API Design & Development",
        "Database Architecture & Optimization",
        "Security Implementation",
        "Scalability & Performance",
        "Code Quality & Maintainability",
        "When analyzing or designing systems, you will:",
        "Your approach prioritizes:",
        "When reviewing existing code, focus on:",
    ],
    "backend-engineer": [
        "Core Responsibilities",
        "API Design and Development",
        "Database Architecture and Management",
        "Authentication and Authorization Systems",
        "Business Logic Implementation",
        "Output Format",
        "Performance Optimization and Scalability",
        "Integration and External Systems",
        "Important Guidelines",
    ],
    "backend-master": [
        "API Development & Design",
        "Database Architecture",
        "Authentication & Security",
        "Performance & Scalability",
        "Microservices & Architecture",
        "Operational Excellence",
        "Decision-Making Framework",
        "Quality Assurance",
        "When presenting solutions, provide:",
    ],
    "backend-specialist": [
        "Your Core Expertise",
        "Your Approach to Backend Development",
        "Requirements Analysis",
        "API Design Principles",
        "Database Design Standards",
        "Security Implementation",
        "Performance Optimization",
        "Architecture Patterns",
        "Error Handling and Resilience",
        "Code Quality Standards",
        "When Providing Solutions",
        "Red Flags to Avoid",
        "Technology Context",
    ],
}


@pytest.mark.parametrize("name", sorted(BULLET_COUNTS))
def test_seed_bullet_counts_and_section_titles(name: str) -> None:
    agent = seed(name)
    assert len(agent.bullets) == BULLET_COUNTS[name]
    assert [s.title for s in agent.sections] == SECTION_TITLES[name]
    assert all(s.topic != "other" for s in agent.sections)


@pytest.mark.parametrize("name", sorted(BULLET_COUNTS))
def test_bullet_line_numbers_point_at_their_source_line(name: str) -> None:
    agent = seed(name)
    lines = (FIXTURES / f"{name}.md").read_text().split("\n")
    for bullet in agent.bullets:
        assert bullet.markdown in lines[bullet.line - 1], bullet


def test_bold_pseudo_heading_bullet_spot_check() -> None:
    bullet = next(b for b in seed("backend-architect").bullets if "Memcached" in b.text)
    assert bullet.text == (
        "Specify indexing strategies, caching layers (Redis, Memcached), "
        "and query optimization techniques"
    )
    assert (bullet.section, bullet.topic, bullet.line) == ("Database Architecture", "data", 20)
    assert bullet.parent is None and not bullet.negative


def test_numbered_bold_items_become_sections_with_their_bullets() -> None:
    agent = seed("backend-developer")
    section = next(s for s in agent.sections if s.title == "Database Architecture & Optimization")
    assert (section.level, section.topic, section.line) == (3, "data", 19)
    assert section.bullets[2].text == "Implement appropriate caching mechanisms (Redis, Memcached)"
    assert section.bullets[2].line == 22


def test_anti_pattern_bullets_are_negative() -> None:
    agent = seed("backend-specialist")
    flags = next(s for s in agent.sections if s.title == "Red Flags to Avoid")
    assert flags.topic == "anti-patterns" and len(flags.bullets) == 10
    n_plus_one = next(b for b in flags.bullets if b.text == "N+1 query problems")
    assert n_plus_one.negative and n_plus_one.line == 145
    assert not any(b.negative for s in agent.sections if s is not flags for b in s.bullets)


def test_nested_bullets_keep_their_parent() -> None:
    agent = seed("backend-specialist")
    parent = next(b for b in agent.bullets if b.text.startswith("Implementation: Provide complete"))
    children = [b for b in agent.bullets if b.parent == parent.id]
    assert [c.line for c in children] == [123, 124, 125, 126, 127, 128]
    assert children[4].text == "Database migrations when needed" and children[4].depth == 1
    assert parent.markdown.startswith("**Implementation**: Provide complete")


def test_output_format_template_is_kept_byte_for_byte() -> None:
    agent = seed("backend-engineer")
    section = next(s for s in agent.sections if s.title == "Output Format")
    assert section.topic == "output-format"
    assert section.paragraphs == ("Structure your backend implementations as follows:",)
    lines = (FIXTURES / "backend-engineer.md").read_text().split("\n")
    start = lines.index("   ```")
    end = lines.index("   ```", start + 1)
    expected = "\n".join(line[3:] for line in lines[start : end + 1])
    assert section.verbatim == (expected,)


def test_ids_ignore_whitespace_and_markdown_only_edits() -> None:
    assert bullet_id("a", "Use **Redis**  for caching") == bullet_id("a", "use Redis for caching")
    assert bullet_id("a", "Use Redis") != bullet_id("b", "Use Redis")
    ids = [b.id for b in seed("backend-specialist").bullets]
    assert len(ids) == len(set(ids))


def test_colon_paragraph_before_first_list_is_a_lead_in() -> None:
    agent = seed("backend-specialist")
    section = next(s for s in agent.sections if s.title == "API Design Principles")
    assert section.paragraphs == ("When designing APIs:",)


def test_a_heading_that_says_what_its_items_are_is_their_lead_in() -> None:
    # 0xfurai's "## Quality Checklist" items are criteria: the heading introduces them as a
    # lead-in would; "## Focus Areas" is what its items are about.
    text = "## Focus Areas\n\n- Indexing\n\n## Quality Checklist\n\n- Queries are fast\n"
    focus, criterion = parse(loads(f"---\nname: a\n---\n{text}", "a.md")).bullets
    assert focus.lead_in is None
    assert criterion.lead_in == "Quality Checklist:"
    assert criterion.section == "Quality Checklist"


@pytest.mark.parametrize(
    ("title", "lead_in"),
    [
        # lst97's MCP servers (35 agents): in "Integration and Messaging" the items no longer
        # say they are MCP servers; the title does.
        ("**MCP Integration**:", "MCP Integration:"),
        ("### Secure SDLC Integration", "Secure SDLC Integration:"),
        # A group of its parent's items: flattened into the topic's list, its name was lost.
        ("### Consumer Rights Under CCPA/CPRA", "Consumer Rights Under CCPA/CPRA:"),
        # The items name it ...
        ("### Context7 for context7", None),
        # ... or its topic does: "DevOps" is what "Deployment and Operations" is about.
        ("### DevOps and Deployment", None),
        ("### Security Tools", None),
    ],
)
def test_a_title_naming_what_its_items_do_not_is_their_lead_in(
    title: str, lead_in: str | None
) -> None:
    text = f"## Capabilities\n\n{title}\n\n- context7: Research patterns\n- Right to know\n"
    agent = parse(loads(f"---\nname: a\n---\n{text}", "a.md"))
    assert {b.lead_in for b in agent.bullets} == {lead_in}


@needs_corpus
def test_a_group_of_a_section_s_items_is_their_lead_in() -> None:
    # lst97's "## Core Development Philosophy" groups its principles under "### 1. Process &
    # Quality" and "### 2. Technical Standards"; merged, they were one list of principles
    # and three editors read the groups as lost. A title the topic's heading says ("###
    # Core Responsibilities" under "## Core Competencies") adds nothing.
    react, reviewer = (
        parse(load(Path(path)))
        for path in corpus_paths("lst97/react-pro", "lst97/architect-review")
    )
    lead_ins = {b.section: b.lead_in for b in react.bullets}
    assert lead_ins["Process & Quality"] == "Process & Quality:"
    assert lead_ins["Technical Standards"] == "Technical Standards:"
    # Its items say its words, but no one item all of them (a frontend editor read the two
    # items, flattened, as lost from their group).
    assert lead_ins["Styling and Component Libraries"] == "Styling and Component Libraries:"
    # lst97's capability summary over the persona is a list of its own: among the
    # competencies, two editors could no longer tell the summary from the competencies.
    assert lead_ins["Key Capabilities"] == "Key Capabilities:"
    assert {b.lead_in for b in reviewer.bullets if b.section == "Core Responsibilities"} == {None}


def test_a_part_of_deliverables_or_anti_patterns_is_of_that_kind() -> None:
    # lst97's "**Analysis and Documentation:**" under "## Output Format" (workflow by its
    # words) lists deliverables; "### Database" under "## Anti-Patterns" lists warnings.
    text = (
        "## Output Format\n\n- **Analysis and Documentation:**\n  - Use Markdown for "
        "explanations\n\n## Anti-Patterns\n\n### Database\n\n- N+1 queries\n"
    )
    markdown, queries = parse(loads(f"---\nname: a\n---\n{text}", "a.md")).bullets[-2:]
    # Written among them; compared, still what it says.
    assert markdown.home[0] == "output-format" and markdown.topic == "workflow"
    assert (queries.home[0], queries.negative) == ("anti-patterns", True)


def test_a_context_query_is_one_block_with_its_words_in_its_parent_s_section() -> None:
    # VoltAgent's "## Communication Protocol" / "### Python Environment Assessment": the
    # sentence and the query are one block, of communication (the title says deployment).
    text = (
        "## Communication Protocol\n\n### Python Environment Assessment\n\n"
        "Initialize development by understanding the ecosystem.\n\nEnvironment query:\n\n"
        '```json\n{"request_type": "get_python_context"}\n```\n'
    )
    agent = parse(loads(f"---\nname: a\n---\n{text}", "a.md"))
    assessment = agent.sections[-1]
    assert assessment.topic == "communication" and assessment.paragraphs == ()
    (block,) = assessment.verbatim
    assert block.startswith("Initialize development by understanding the ecosystem.\n\n")
    assert "Environment query:\n\n```json" in block


def test_numbered_headings_a_sentence_points_to_are_parts_of_its_topic() -> None:
    # lst97's "Core Development Philosophy" (24 agents): "### 1. Process & Quality" is one
    # of "the following core development principles", not a workflow of its own.
    text = (
        "## Core Development Philosophy\n\nThis agent adheres to the following core "
        "development principles.\n\n### 1. Process & Quality\n\n- **Understand First:** "
        "Analyze existing patterns before coding.\n\n## Approach\n\n### 1. Process\n\n"
        "- Plan the work\n"
    )
    part, step = parse(loads(f"---\nname: a\n---\n{text}", "a.md")).bullets
    assert (part.section, part.topic) == ("Process & Quality", "principles")
    assert step.topic == "workflow"


def test_a_fence_never_moves_line_matching_past_a_later_item() -> None:
    # The fence's first line also appears in the next item: the item keeps its Markdown.
    agent = parse(
        loads(
            "---\nname: a\n---\n## Layout\n\n```\n.claude/context/\n```\n\n"
            "- **Design the layout.** Use `.claude/context/` for state\n",
            "a.md",
        )
    )
    (item,) = agent.bullets
    assert item.markdown == "**Design the layout.** Use `.claude/context/` for state"
    assert item.line == 10


def test_fence_ends_where_commonmark_ends_it() -> None:
    # Inside a fence, an indented "    ```" and a "```sql" line are content, not its end
    # (lst97's database-optimizer): the items after the fence keep their own lines.
    body = "## S\n\n```bash\n    ```\n    x\n    ```\n```sql\n```\n\n- **Before:** 1ms\n- After\n"
    agent = parse(loads("---\nname: a\n---\n" + body, "a.md"))
    assert [(b.markdown, b.line) for b in agent.bullets] == [("**Before:** 1ms", 13), ("After", 14)]


def test_paragraphs_keep_their_markdown() -> None:
    agent = parse(loads("---\nname: a\n---\n## S\n\nSee the [guide](g) and `x`.\n", "a.md"))
    assert agent.sections[0].paragraphs == ("See the [guide](g) and `x`.",)


def test_other_constructs() -> None:
    text = textwrap.dedent(
        """\
        ---
        name: t
        ---
        Intro paragraph.

        Checklist:
        - first *item* with `code`
          - nested [link](http://x)

        | a | b |
        |---|---|
        | 1 | 2 |

        ## Don'ts
        - Never store secrets
        """
    )
    agent = parse(loads(text))
    assert agent.preamble == ("Intro paragraph.",)
    checklist, donts = agent.sections
    assert checklist.title == "Checklist:" and checklist.topic == "responsibilities"
    assert [b.text for b in checklist.bullets] == ["first item with code", "nested link"]
    assert checklist.bullets[1].parent == checklist.bullets[0].id
    assert checklist.verbatim == ("| a | b |\n|---|---|\n| 1 | 2 |",)
    assert donts.topic == "anti-patterns" and donts.bullets[0].negative
    assert "Never store secrets" in outline(agent)


def test_every_corpus_file_parses(corpus_agents: tuple[Agent, ...]) -> None:
    total = 0
    for agent in corpus_agents:
        total += len(agent.bullets)
        for bullet in agent.bullets:
            assert bullet.line >= agent.source.body_line
    assert total > 20_000


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("-*1. #:`>|\n ab\t_[]()")), max_size=200))
def test_markdown_noise_never_crashes(body: str) -> None:
    try:
        agent = parse(loads("---\nname: fuzz\n---\n" + body))
    except ComposeError:
        return
    line_count = len(body.split("\n")) + 3
    for bullet in agent.bullets:
        assert 1 <= bullet.line <= line_count


def test_a_template_is_kept_with_the_sentence_that_introduces_it() -> None:
    text = '---\nname: t\n---\n## Protocol\n\nProgress tracking:\n\n```json\n{"a": 1}\n```\n'
    (section,) = parse(loads(text, "t.md")).sections
    assert section.paragraphs == ()
    assert section.verbatim == ('Progress tracking:\n\n```json\n{"a": 1}\n```',)


def test_a_bold_sentence_is_a_paragraph_not_a_title() -> None:
    # lst97's frontend-developer: read as a title with nothing under it, a merge dropped it.
    agent = parse(
        loads(
            "---\nname: a\n---\n## Your Task\n\nBuild it.\n\n"
            "**If the request is ambiguous, ask clarifying questions first.**\n\n"
            "**Constraints:**\n- Use TypeScript\n",
            "a.md",
        )
    )
    assert [s.title for s in agent.sections] == ["Your Task", "Constraints"]
    assert any("clarifying questions" in p for s in agent.sections for p in s.paragraphs)


def test_a_numbered_phase_is_written_with_its_procedure() -> None:
    text = (
        "---\nname: pg\n---\n## Development Workflow\n\nExecute optimization through phases:\n\n"
        "### 1. Database Analysis\n\nAnalysis priorities:\n- Query patterns\n\n"
        "## Chapters\n\n### 2. Database Design\n\n- Normalize schemas\n"
    )
    agent = parse(loads(text, "pg.md"))
    phase, chapter = agent.bullets
    # Compared as what it says (a database topic), written with the workflow it is a phase of.
    assert phase.topic == "data" and phase.home == ("workflow", "Database Analysis")
    # A numbered chapter no sentence introduces is a topic of its own.
    assert chapter.home == ("data", "Database Design")


def test_a_numbered_step_introducing_its_items_is_written_with_its_procedure() -> None:
    text = (
        "---\nname: pg\n---\n## Core Competencies\n\n### Standard Operating Procedure\n\n"
        "1. **Requirement Analysis and Data Modeling:**\n    - Analyze requirements\n"
        "2. **Performance Optimization and Tuning:**\n    - Identify bottlenecks\n\n"
        "## Expertise\n\n1. **API Design**\n    - Design endpoints\n"
    )
    steps = parse(loads(text, "pg.md")).bullets
    # Each step's items sit with the procedure, in Workflow, under the step's name.
    assert [b.home[0] for b in steps[:2]] == ["workflow", "workflow"]
    assert steps[1].lead_in == "Performance Optimization and Tuning:"
    # A numbered chapter with no colon names a topic of its own.
    assert steps[2].home == ("api-design", "API Design") and steps[2].lead_in is None


def test_steps_under_a_heading_of_no_topic_are_written_in_the_workflow() -> None:
    text = (
        "---\nname: ir\n---\n## Immediate Actions (First 5 Minutes)\n\n"
        "1. **Acknowledge and Declare**:\n    - Acknowledge the alert.\n"
        "2. **Assess Severity & Scope**:\n    - Establish the severity level.\n"
    )
    steps = parse(loads(text, "ir.md")).bullets
    assert [b.home for b in steps] == [
        ("workflow", "Acknowledge and Declare"),
        ("workflow", "Assess Severity & Scope"),
    ]
    assert [b.step for b in steps] == [1, 2]


def test_a_step_followed_by_numbered_items_is_one_of_them() -> None:
    text = (
        "---\nname: ir\n---\n## Post-Incident Actions\n\n"
        "1. **Declare Incident Resolved**: Tell stakeholders.\n"
        "2. **Initiate Postmortem**:\n    - Assign a postmortem owner.\n"
        "3. **Track Action Items**: Track them to completion.\n"
    )
    items = parse(loads(text, "ir.md")).bullets
    assert [(b.text, b.ordered, b.parent) for b in items[:3]] == [
        ("Declare Incident Resolved: Tell stakeholders.", True, None),
        ("Initiate Postmortem:", True, None),
        ("Assign a postmortem owner.", False, items[1].id),
    ]
    assert items[3].text.startswith("Track Action Items") and items[3].ordered


def test_an_output_template_written_as_markdown_is_one_verbatim_block() -> None:
    text = (
        "---\nname: cr\n---\n## Review\n\n- Check the diff\n\n"
        "### **Output Format**\n\nProvide your feedback in this format.\n\n---\n\n"
        "### **Summary**\n\nOverall assessment: [Brief overall evaluation]\n\n"
        "- **Critical Issues**: [Number] (must fix)\n\n### **Critical Issues**\n\n"
        "- **Location**: `[File Path]:[Line Number]`\n\n## Constraints\n\n- Be concise\n"
    )
    agent = parse(loads(text, "cr.md"))
    # Its slots are no practices: the items are the ones outside it.
    assert [b.text for b in agent.bullets] == ["Check the diff", "Be concise"]
    (output,) = [s for s in agent.sections if s.verbatim]
    assert output.topic == "output-format"
    assert output.verbatim[0].startswith("Provide your feedback in this format.\n\n---\n\n###")
    assert output.verbatim[0].endswith("- **Location**: `[File Path]:[Line Number]`")
    # A deliverables list with no slots is a list, as before.
    plain = "---\nname: p\n---\n## Output Format\n\n- **Code:** Clean code\n"
    assert [b.text for b in parse(loads(plain, "p.md")).bullets] == ["Code: Clean code"]


def test_numbered_headings_under_a_checklist_are_its_ranked_tiers() -> None:
    text = (
        "---\nname: cr\n---\n### Comprehensive Review Checklist\n\n"
        "#### **1. Critical & Security**\n\n- **Exposed Secrets:** None hardcoded.\n\n"
        "#### **2. Quality & Best Practices**\n\n- **Test Coverage:** Enough tests.\n\n"
        "## Approach\n\n### 2. API Design Principles\n\n- Design endpoints\n"
    )
    tiers = parse(loads(text, "cr.md")).bullets
    # Written under their names, in order, with the checklist: not with Security.
    assert [(b.lead_in, b.step) for b in tiers[:2]] == [
        ("Critical & Security:", 1),
        ("Quality & Best Practices:", 2),
    ]
    assert tiers[0].home[0] == tiers[1].home[0] != "security"
    # A numbered chapter of anything else is a topic of its own.
    assert tiers[2].home == ("api-design", "API Design Principles") and tiers[2].step == 0


def test_a_title_over_questions_introduces_them() -> None:
    text = (
        "---\nname: ar\n---\n### Key Areas of Focus\n\n"
        "- **Data Flow and Component Coupling:**\n"
        "  - How tightly coupled are the components?\n  - Is the data flow clear?\n"
        "- **API Design & Development:**\n  - Design RESTful APIs\n"
    )
    *questions, practice = parse(loads(text, "ar.md")).bullets
    assert {b.lead_in for b in questions} == {"Data Flow and Component Coupling:"}
    # Over practices, a title names a topic they join.
    assert practice.lead_in is None and practice.home[0] == "api-design"


def test_a_title_over_deliverables_introduces_them() -> None:
    # lst97's documentation-expert groups its "## Expected Output" under four bold titles
    # ("**User-Focused Documentation:**"); flattened, an editor read the grouping as lost.
    text = (
        "---\nname: de\n---\n## Expected Output\n\n"
        "- **User-Focused Documentation:**\n  - **User Manuals:** Guides for end-users.\n"
        "- **Supporting Documentation Assets:**\n  - **Glossaries:** Key terms.\n"
    )
    manuals, glossaries = parse(loads(text, "de.md")).bullets
    assert manuals.lead_in == "User-Focused Documentation:"
    assert glossaries.lead_in == "Supporting Documentation Assets:"
    assert manuals.home[0] == glossaries.home[0] == "output-format"


def test_a_bold_title_right_above_a_quote_introduces_it() -> None:
    text = (
        "---\nname: ar\n---\n## Output\n\n- Impact assessment\n\n"
        "**Example of a concise recommendation:**\n\n> **Issue:** Tight coupling.\n"
    )
    agent = parse(loads(text, "ar.md"))
    assert [s.title for s in agent.sections] == ["Output"]
    assert agent.sections[0].verbatim == (
        "**Example of a concise recommendation:**\n\n> **Issue:** Tight coupling.",
    )


def test_the_paragraphs_after_the_last_list_close_the_agent() -> None:
    engineer = seed("backend-engineer")
    assert engineer.closing == (
        "Your backend implementations enable teams to build reliable, secure, and scalable "
        "server-side systems that handle complex business requirements while maintaining high "
        "performance and availability.",
    )
    assert all(engineer.closing[0] not in s.paragraphs for s in engineer.sections)
    # A paragraph after a heading is that section's; one introducing nothing stays where it is.
    for text in ("## A\n\n- x\n\n## B\n\nLast words.\n", "## A\n\nLast words.\n"):
        assert parse(loads(f"---\nname: a\n---\n{text}")).closing == ()
    agent = parse(loads("---\nname: a\n---\n## A\n\n- x\n\nOutput:\n\nDone well.\n"))
    assert agent.closing == ("Done well.",) and agent.sections[0].paragraphs == ("Output:",)


def test_a_note_on_all_of_the_last_section_s_items_stays_in_it() -> None:
    # lst97's mobile-developer ends "## Expected Deliverables", its list, then "*In all
    # deliverables, include ...*": merged, the note was written after other agents'
    # closings, cut off from the list it is about.
    text = (
        "---\nname: m\n---\n## Expected Deliverables\n\n- A report\n\n"
        "*In all deliverables, include platform notes.*\n\nAlways ship.\n"
    )
    agent = parse(loads(text))
    assert agent.sections[0].paragraphs == ("*In all deliverables, include platform notes.*",)
    assert agent.closing == ("Always ship.",)


def test_the_paragraphs_under_the_document_title_are_the_opening() -> None:
    # lst97's agents open "# Security Auditor" then "**Role**: ..." and "**Expertise**: ...":
    # the agent's identity, not a section about security to be merged among its lists.
    agent = parse(
        loads(
            "---\nname: a\n---\n# Security Auditor\n\n**Role**: Senior auditor.\n\n"
            "**Expertise**: Threat modeling.\n\n## Core Competencies\n\n- Audit code\n"
        )
    )
    assert agent.preamble == ("**Role**: Senior auditor.", "**Expertise**: Threat modeling.")
    assert [s.title for s in agent.sections] == ["Core Competencies"]
    # A first heading of a lower level is a section as before.
    agent = parse(loads("---\nname: a\n---\n## Security\n\nSome words.\n\n- Audit code\n"))
    assert agent.preamble == () and agent.sections[0].paragraphs == ("Some words.",)


def test_a_message_right_after_a_labelled_one_is_another_example_of_it() -> None:
    agent = parse(
        loads(
            '---\nname: a\n---\n## Workflow\n\n- Ship\n\nDelivery notification:\n"Done A."\n\n'
            '"Done B."\n\nClosing words here.\n',
            "a.md",
        )
    )
    assert agent.sections[0].verbatim == ('Delivery notification: "Done A."\n\n"Done B."',)


def test_a_hard_line_break_is_kept() -> None:
    # lst97's test-automator writes "**Unit Test Design**", its sentence and "*Tools:* Jest"
    # as lines of one paragraph; joined by spaces they read as one run-on line.
    body = "## Focus Areas\n\n**Unit Test Design**  \nWriting isolated tests.  \n*Tools:* Jest\n"
    agent = parse(loads(f"---\nname: a\n---\n{body}", "a.md"))
    assert agent.sections[0].paragraphs == (
        "**Unit Test Design**\\\nWriting isolated tests.\\\n*Tools:* Jest",
    )
