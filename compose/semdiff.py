"""Semantic diff of two versions of an agent: which bullets were reworded, moved, added or
removed, which sections appeared, disappeared or were renamed, which fields changed."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from typing import Any

from compose.clustering import cross_similarity
from compose.parse import Agent, Bullet, normalise_for_id
from compose.tuning import diff_tuning

_TUNING = diff_tuning()


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object
    new: object

    @property
    def kind(self) -> str:
        if self.old is None:
            return "added"
        return "removed" if self.new is None else "changed"


@dataclass(frozen=True)
class BulletChange:
    kind: str  # reworded, moved, added, removed
    old: Bullet | None
    new: Bullet | None
    similarity: float | None = None
    words: str | None = None  # word-level inline diff: [-old-]{+new+}


@dataclass(frozen=True)
class SemanticDiff:
    old: Agent
    new: Agent
    fields: tuple[FieldChange, ...]
    sections_added: tuple[str, ...]
    sections_removed: tuple[str, ...]
    sections_renamed: tuple[tuple[str, str], ...]
    bullets: tuple[BulletChange, ...]
    unchanged: int

    @property
    def equivalent(self) -> bool:
        return not (
            self.fields
            or self.sections_added
            or self.sections_removed
            or self.sections_renamed
            or self.bullets
        )


def diff(old: Agent, new: Agent) -> SemanticDiff:
    fields = _field_changes(old, new)
    pairs, unchanged = _match(old.bullets, new.bullets)
    matched_old = {o.id for o, _, _ in pairs}
    matched_new = {n.id for _, n, _ in pairs}
    renamed = _renamed_sections(old, new, pairs)
    rename = dict(renamed)
    changes: list[BulletChange] = []
    for o, n, score in pairs:
        moved = rename.get(o.section, o.section) != n.section
        same_text = normalise_for_id(o.text) == normalise_for_id(n.text)
        if same_text and not moved:
            continue
        kind = "moved" if same_text or (moved and score >= 0.999) else "reworded"
        if kind == "reworded" and moved:
            kind = "reworded+moved"
        changes.append(
            BulletChange(
                kind, o, n, round(score, 4), None if same_text else word_diff(o.text, n.text)
            )
        )
    changes += [BulletChange("removed", b, None) for b in old.bullets if b.id not in matched_old]
    changes += [BulletChange("added", None, b) for b in new.bullets if b.id not in matched_new]
    changes.sort(key=_change_order)
    old_titles = [s.title for s in old.sections]
    new_titles = [s.title for s in new.sections]
    renamed_old = {a for a, _ in renamed}
    renamed_new = {b for _, b in renamed}
    return SemanticDiff(
        old,
        new,
        fields,
        tuple(t for t in new_titles if t not in old_titles and t not in renamed_new),
        tuple(t for t in old_titles if t not in new_titles and t not in renamed_old),
        tuple(renamed),
        tuple(changes),
        unchanged,
    )


def _change_order(change: BulletChange) -> tuple[int, int]:
    bullet = change.new or change.old
    assert bullet is not None
    return (0 if change.new is not None else 1, bullet.line)


def _field_changes(old: Agent, new: Agent) -> tuple[FieldChange, ...]:
    a, b = dict(old.source.frontmatter), dict(new.source.frontmatter)
    keys = list(a) + [k for k in b if k not in a]
    return tuple(FieldChange(k, a.get(k), b.get(k)) for k in keys if a.get(k) != b.get(k))


def _match(
    old: tuple[Bullet, ...], new: tuple[Bullet, ...]
) -> tuple[list[tuple[Bullet, Bullet, float]], int]:
    """Pair old and new bullets: identical text first, then the most similar, greedily."""
    pairs: list[tuple[Bullet, Bullet, float]] = []
    by_text: dict[str, list[Bullet]] = {}
    for b in new:
        by_text.setdefault(normalise_for_id(b.text), []).append(b)
    rest_old = []
    unchanged = 0
    for b in old:
        candidates = by_text.get(normalise_for_id(b.text))
        if candidates:
            partner = next((c for c in candidates if c.section == b.section), candidates[0])
            candidates.remove(partner)
            pairs.append((b, partner, 1.0))
            unchanged += partner.section == b.section
        else:
            rest_old.append(b)
    rest_new = [b for group in by_text.values() for b in group]
    rest_new.sort(key=lambda b: b.line)
    # The two versions are two sources: relabel so one list's siblings are not penalised.
    left = [replace(b, agent="old") for b in rest_old]
    right = [replace(b, agent="new") for b in rest_new]
    scores = cross_similarity(left, right)
    used_old: set[int] = set()
    used_new: set[int] = set()
    for (i, j), score in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])):
        if score < _TUNING.reworded or i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        pairs.append((rest_old[i], rest_new[j], score))
    return pairs, unchanged


def _renamed_sections(
    old: Agent, new: Agent, pairs: list[tuple[Bullet, Bullet, float]]
) -> list[tuple[str, str]]:
    old_titles = {s.title for s in old.sections}
    new_titles = {s.title for s in new.sections}
    gone = [s for s in old.sections if s.title not in new_titles and s.bullets]
    renamed = []
    for section in gone:
        targets = [n.section for o, n, _ in pairs if o.section == section.title]
        if not targets:
            continue
        best = max(set(targets), key=lambda t: (targets.count(t), t))
        if best not in old_titles and targets.count(best) >= _TUNING.renamed * len(section.bullets):
            renamed.append((section.title, best))
    return renamed


def word_diff(old: str, new: str) -> str:
    """'Design [-RESTful-]{+REST+} APIs': the words removed and added, in place."""
    a, b = old.split(), new.split()
    out: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend(a[i1:i2])
            continue
        if i2 > i1:
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


def diff_data(result: SemanticDiff) -> dict[str, Any]:
    def bullet(b: Bullet | None) -> dict[str, Any] | None:
        return None if b is None else {"section": b.section, "line": b.line, "text": b.text}

    return {
        "version": 1,
        "old": result.old.path,
        "new": result.new.path,
        "equivalent": result.equivalent,
        "frontmatter": [
            {"field": f.field, "change": f.kind, "old": _plain(f.old), "new": _plain(f.new)}
            for f in result.fields
        ],
        "sections": {
            "added": list(result.sections_added),
            "removed": list(result.sections_removed),
            "renamed": [list(pair) for pair in result.sections_renamed],
        },
        "bullets": [
            {
                "change": c.kind,
                "old": bullet(c.old),
                "new": bullet(c.new),
                "similarity": c.similarity,
                "diff": c.words,
            }
            for c in result.bullets
        ],
        "unchanged": result.unchanged,
    }


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def _shown(value: object) -> str:
    """A field's value as the file writes it: "Read, Grep", not ('Read', 'Grep'); none:
    "(none)", not None."""
    if value is None:
        return "(none)"
    if isinstance(value, (tuple, list)):
        return ", ".join(map(str, value))
    return str(value)


# ANSI colours of a terminal diff: additions green, removals red, rewordings yellow.
_GREEN, _RED, _YELLOW, _RESET = "\x1b[32m", "\x1b[31m", "\x1b[33m", "\x1b[0m"
_WORDS_REMOVED = re.compile(r"\[-(.*?)-\]")
_WORDS_ADDED = re.compile(r"\{\+(.*?)\+\}")


def diff_text(result: SemanticDiff, *, markdown: bool = False, color: bool = False) -> str:
    """The diff as lines for a terminal (color: ANSI colours) or as Markdown."""
    code = (lambda s: f"`{s}`") if markdown else (lambda s: s)

    def paint(line: str, colour: str) -> str:
        if not color:
            return line
        line = _WORDS_REMOVED.sub(lambda m: f"{_RED}[-{m.group(1)}-]{colour}", line)
        line = _WORDS_ADDED.sub(lambda m: f"{_GREEN}{{+{m.group(1)}+}}{colour}", line)
        return f"{colour}{line}{_RESET}"

    bullet_mark = "- " if markdown else ""
    out = [f"{'# ' if markdown else ''}{result.old.path} -> {result.new.path}"]
    if markdown:
        out.append("")
    for f in result.fields:
        if f.field == "description" and f.kind == "changed":
            out.append(f"{bullet_mark}frontmatter description changed")
        else:
            values = f"{code(_shown(f.old))} -> {code(_shown(f.new))}"
            out.append(f"{bullet_mark}frontmatter {f.field} {f.kind}: {values}")
    out += [f"{bullet_mark}section added: {code(t)}" for t in result.sections_added]
    out += [f"{bullet_mark}section removed: {code(t)}" for t in result.sections_removed]
    out += [
        f"{bullet_mark}section renamed: {code(a)} -> {code(b)}" for a, b in result.sections_renamed
    ]
    for c in result.bullets:
        if c.kind == "added" and c.new:
            added = f"{bullet_mark}+ added [{c.new.section}] line {c.new.line}: {c.new.text}"
            out.append(paint(added, _GREEN))
        elif c.kind == "removed" and c.old:
            removed = f"{bullet_mark}- removed [{c.old.section}] line {c.old.line}: {c.old.text}"
            out.append(paint(removed, _RED))
        elif c.old and c.new:
            where = f"[{c.old.section}] line {c.old.line} -> [{c.new.section}] line {c.new.line}"
            detail = f" ({c.similarity:.2f}): {c.words}" if c.words else f": {c.new.text}"
            out.append(paint(f"{bullet_mark}~ {c.kind} {where}{detail}", _YELLOW))
    summary = (
        "equivalent"
        if result.equivalent
        else f"{len(result.bullets)} bullet changes, {len(result.fields)} field changes"
    )
    out.append(f"{'' if not markdown else chr(10)}{result.unchanged} bullets unchanged; {summary}")
    return "\n".join(out) + "\n"
