"""Terms: the words a bullet is matched on, and the named terms a merge must never drop.

Normalisation (phrases, synonyms, stop words, stemming) comes from data/lexicon.toml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import snowballstemmer

from compose.tomlfile import package_data
from compose.tuning import term_tuning

_WORD = re.compile(r"[a-z0-9][a-z0-9+#]*(?:\.[a-z0-9]+)*")
# A token as written, for named terms: letters, digits and inner . + # - (Node.js, C#, B-tree).
_NAMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9+#]*(?:[.\-][A-Za-z0-9+#]+)*")
# A Title Case label before a colon, its words joined by "&", "and", "of" or "for" too
# ("Infrastructure & Configuration Auditing: ...").
_LABEL = re.compile(r"^((?:(?:[A-Z][\w&/-]*,?|&|and|of|for)\s*){1,6}):\s")
_BRITISH = re.compile(r"^([a-z]{3,}[^aeiou])([iy])s(e|es|ed|ing|er|ers|able|ation|ations)$")


# Where a list item's phrases divide: list separators, and clause words (kept with the
# clause they open, "to prevent abuse").
CLAUSE_WORDS = frozenset(
    "to for with when while via through using by from across including without".split()
)
_PART_SPLIT = re.compile(
    r",\s*(?:and\s+|or\s+)?|;\s*|\s+(?:and|or|then)\s+|\s*:\s+|\s+[-\u2013\u2014]\s+"
    rf"|\s+(?=(?:{'|'.join(sorted(CLAUSE_WORDS))})\s)"
)


def list_parts(text: str) -> list[str]:
    """The phrases of a list item, parentheses kept whole."""
    plain = _PARENTHESIS.sub(lambda m: m.group(0).replace(",", "\0"), text)
    return [p.replace("\0", ",").strip() for p in _PART_SPLIT.split(plain) if p.strip()]


# What ends a plain series of items: markup, a label or dash, "or" (a choice), "then" (a
# sequence).
SERIES_BREAK = re.compile(r"[*_`\[\]<>:;]|\s(?:or|then)\s|\s[-\u2013\u2014]\s")


# Words that open a phrase qualifying the one before it: "in transit" in "encryption at rest
# and in transit" is no statement of its own.
QUALIFYING = CLAUSE_WORDS | frozenset("in at on of into over under within per".split())


def statements(text: str) -> list[str]:
    """The statements of a list item: its phrases, each with the clauses that qualify it
    ("Design efficient database schemas with proper normalization", "pagination")."""
    found: list[str] = []
    for part in list_parts(text):
        if found and part.split()[0].lower() in QUALIFYING:
            found[-1] += f" {part}"
        else:
            found.append(part)
    return found


@dataclass(frozen=True)
class Role:
    titles: tuple[str, ...]  # a section whose lower-cased title holds one of these
    mentions: tuple[str, ...]  # words that say an item from elsewhere is this work too


@dataclass(frozen=True)
class Lexicon:
    phrase_pattern: re.Pattern[str]
    phrases: dict[str, str]
    synonyms: dict[str, str]
    stopwords: frozenset[str]
    fillers: frozenset[str]
    checklist_words: int
    qualifiers: frozenset[str]
    aspects: frozenset[str]
    collaboration: frozenset[str]
    roles: tuple[Role, ...]
    technologies: frozenset[str]
    advisory: frozenset[str]
    generic: frozenset[str]
    ise_words: frozenset[str]
    prohibition: re.Pattern[str]
    stems: dict[str, str]
    turning: frozenset[str]  # [composing]: see lexicon.toml
    determiners: frozenset[str]
    subordinators: frozenset[str]
    imperatives: dict[str, str]  # [composing]: see lexicon.toml
    practices: frozenset[str]  # [stopwords]: see lexicon.toml


@cache
def lexicon() -> Lexicon:
    data = package_data("lexicon.toml")
    # Longest phrases first, so "role-based access control" wins over "access control".
    phrases = sorted(data["phrases"], key=lambda k: (-len(k), k))
    return Lexicon(
        phrase_pattern=re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, phrases)) + ")"),
        # The canonical token is added beside the phrase's own words, so "message queues"
        # still shares "message" with "message patterns".
        phrases={k: f" {v} {k} " for k, v in data["phrases"].items()},
        synonyms=dict(data["synonyms"]),
        stopwords=frozenset(data["stopwords"]["words"]),
        fillers=frozenset(data["fillers"]["words"]),
        checklist_words=data["checklist"]["max_words"],
        qualifiers=frozenset(data["checklist"]["qualifiers"]),
        aspects=frozenset(data["checklist"]["aspects"]),
        collaboration=frozenset(data["checklist"]["collaboration"]),
        roles=tuple(Role(tuple(r["titles"]), tuple(r["mentions"])) for r in data["role"]),
        technologies=frozenset(data["technologies"]["names"]),
        advisory=frozenset(data["advisory"]["verbs"]),
        generic=frozenset(data["generic"]["terms"]),
        ise_words=frozenset(data["spelling"]["ise_words"]),
        prohibition=_prohibition(data["prohibition"]),
        stems=dict(data["stems"]),
        turning=frozenset(data["composing"]["turning"]),
        determiners=frozenset(data["composing"]["determiners"]),
        subordinators=frozenset(data["composing"]["subordinators"]),
        imperatives=dict(data["composing"]["imperatives"]),
        practices=frozenset(data["stopwords"]["practices"]),
    )


def _prohibition(data: dict[str, list[str]]) -> re.Pattern[str]:
    def alternatives(words: list[str]) -> str:
        return "(?:" + "|".join(map(re.escape, words)) + ")"

    clause_start = r"(?:^|[:;\u2014\u2013\u274c]\s*|\s-\s+)"
    return re.compile(
        rf"(?:\b{alternatives(data['phrases'])}|{clause_start}{alternatives(data['commands'])})\b"
        rf"(?!\s+{alternatives(data['exceptions'])}\b)"
    )


@cache
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


@cache
def _stem(word: str) -> str:
    if not word.isalpha():
        return word
    stem = str(_stemmer().stemWord(word))
    return lexicon().stems.get(stem, stem)


def singular(word: str) -> str:
    """A plural word as its singular ("strategies": "strategy", "patterns": "pattern"), as
    written, without stemming: lead-ins are compared in either number."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def content_terms(text: str) -> tuple[str, ...]:
    """Stemmed content words of text, in order: what two bullets are compared on."""
    return tuple(term for term, filler in _terms(text) if not filler)


def phrase_terms(text: str) -> tuple[str, ...]:
    """Stems of text's words as written (no synonyms, no lexicon phrases), stop words aside,
    in order: what a phrase says when it must be found whole ("design patterns", not
    "patterns"; "security policies", not "security patterns")."""
    return tuple(term for term, _ in _written(text))


def head_phrase(text: str) -> tuple[str, ...]:
    """phrase_terms less trailing fillers, down to two words: "rate limiting strategies" is
    found as "rate limiting"."""
    terms = _written(text)
    while len(terms) > 2 and terms[-1][1]:  # "security policies" stays whole
        terms.pop()
    return tuple(term for term, _ in terms)


def _written(text: str) -> list[tuple[str, bool]]:
    lex = lexicon()
    terms = []
    for word in _WORD.findall(text.lower().replace("/", " ").replace("-", " ")):
        canonical = _canonical(word)
        if word in lex.stopwords or canonical in lex.stopwords or len(word) < 2:
            continue
        terms.append((_stem(_american(word)), canonical in lex.fillers))
    return terms


def _terms(text: str) -> list[tuple[str, bool]]:
    """Stemmed words of text that are not stop words, each with whether it is a filler."""
    lex = lexicon()
    lowered = lex.phrase_pattern.sub(lambda m: lex.phrases[m.group(0)], text.lower())
    terms = []
    words = _WORD.findall(lowered.replace("/", " ").replace("-", " "))
    for k, word in enumerate(words):
        word = _canonical(word)
        if word in lex.stopwords or len(word) < 2:
            continue
        # A collaboration verb says little before its partner ("Coordinate with sre-engineer
        # on ..."); on its own object it is the work ("Coordinate communication" is not
        # "Improve communication").
        partnered = word not in lex.collaboration or words[k + 1 : k + 2] == ["with"]
        terms.append((_stem(word), word in lex.fillers and partnered))
    return terms


@cache
def _canonical(word: str) -> str:
    """The word as the lexicon reads it: American spelling, then its synonym."""
    word = _american(word)
    return lexicon().synonyms.get(word, word)


@cache
def _american(word: str) -> str:
    match = _BRITISH.match(word)
    if match is not None:
        stem, vowel, ending = match.groups()
        british = stem + vowel + "se" not in lexicon().ise_words  # not "enterprise", "promised"
        plural = vowel == "y" and ending == "es"  # "analyses": the plural of analysis
        if british and not plural:
            return stem + vowel + "z" + ending  # optimise, analysed -> optimize, analyzed
    return word


def renamed_terms(text: str) -> tuple[str, ...]:
    """Stems of the words of text the lexicon reads as another word ("throttling" as rate
    limiting), or as none where they name a practice ("Test planning"): they match as that
    word, but a reader looks for them as written, in any inflection ("queries" is said by
    "query", "throttling" only by "throttle")."""
    lex = lexicon()
    words = _WORD.findall(text.lower().replace("-", " "))
    return tuple(
        dict.fromkeys(
            _stem(w)
            for k, w in enumerate(words)
            if w in lex.synonyms
            or (w in lex.practices and k > 0 and words[k + 1 : k + 2] not in (["for"], ["to"]))
        )
    )


def needed_terms(text: str) -> tuple[str, ...]:
    """What another text must say to say text: its content terms, and the words the lexicon
    renames as written (renamed_terms), in order, repeats kept."""
    return (*content_terms(text), *renamed_terms(text))


def written_terms(text: str) -> frozenset[str]:
    """What text says, for renamed_terms as much as for content_terms: its content terms and
    the stems of its words as written."""
    words = _WORD.findall(text.lower().replace("-", " "))
    return frozenset(content_terms(text)) | {_stem(w) for w in words}


def surface_forms(text: str) -> dict[str, str]:
    """Each content term of text -> how text writes it (a lexicon phrase as the phrase)."""
    lex = lexicon()
    lowered = text.lower()
    forms: dict[str, str] = {}
    for match in lex.phrase_pattern.finditer(lowered):
        canonical = lex.phrases[match.group(0)].split(match.group(0))[0]
        for term in canonical.split():
            forms.setdefault(_stem(term), match.group(0))
    for word in re.split(r"[\s/]+", lowered):
        word = word.strip("()[]{}.,;:!?\"'*`")
        for part in _WORD.findall(word.replace("-", " ")):
            part = _canonical(part)
            if part not in lex.stopwords and len(part) > 1:
                forms.setdefault(_stem(part), word)
    return forms


_PARENTHESIS = re.compile(r"\(([^()]*)\)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_PLAIN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9+#'-]*")  # "event-driven" is one word
_COORDINATED = re.compile(r"[,;&]|\b(?:and|or)\b", re.IGNORECASE)


def is_checklist_item(text: str) -> bool:
    """A short item ("Rate limiting per endpoint") rather than a sentence or a "Label: ..." line."""
    return _is_item(_PARENTHESIS.sub(" ", text))


def _is_item(plain: str) -> bool:
    """is_checklist_item for text with its parentheses already taken out."""
    return ":" not in plain and len(_PLAIN_WORD.findall(plain)) <= lexicon().checklist_words


def checklist_core(text: str) -> tuple[str, ...] | None:
    """The terms naming a checklist item's practice, head last; None for longer or compound text.

    Words after the first qualifier ("per endpoint"), aspect nouns ("integration") and
    collaboration verbs are left out: "Rate limiting per endpoint" -> (rate, limit).
    """
    plain = _PARENTHESIS.sub(" ", text)
    if not _is_item(plain) or _COORDINATED.search(plain):
        return None
    lex = lexicon()
    core: list[str] = []
    for word in _PLAIN_WORD.findall(plain):
        lower = word.lower()
        if lower in lex.qualifiers and core:
            break
        if lower in lex.aspects or lower in lex.collaboration:
            continue
        core.extend(t for t in _word_terms(word) if t not in core)
    return tuple(core) or None


@cache
def _word_terms(word: str) -> tuple[str, ...]:
    return content_terms(word)


_LEAD_LABEL = re.compile(r"^[^:]{1,40}:\s")
_LIST_SEPARATOR = re.compile(r",|;|\band\b")


def compound_parts(text: str) -> tuple[frozenset[str], ...] | None:
    """The content terms of each practice a compound bullet lists, its "Label:" counting as one
    more; None when text lists fewer than three. Parts without content words are left out."""
    plain = _PARENTHESIS.sub("", text)
    label = _LEAD_LABEL.match(plain)
    body = plain[label.end() if label else 0 :]
    parts = [p for p in _LIST_SEPARATOR.split(body) if p.strip()]
    # A list has commas: "Error handling and validation are robust and descriptive" is not one.
    if len(parts) < 3 or not any(c in body for c in ",;"):
        return None
    if label:
        parts.append(label.group(0))
    return tuple(terms for p in parts if (terms := frozenset(content_terms(p))))


@cache
def section_role(title: str) -> Role | None:
    """The kind of work a section's items all are (testing, documenting, ...), if any."""
    lower = title.lower()
    return next((r for r in lexicon().roles if any(t in lower for t in r.titles)), None)


def term_counts(text: str) -> dict[str, float]:
    """Terms with counts: fillers and terms inside parentheses (details of the statement:
    "(Redis, Memcached, CDN)") count for less (tuning.TermTuning)."""
    weights = term_tuning()
    counts: dict[str, float] = {}
    details = " ".join(_PARENTHESIS.findall(text))
    for part, weight in ((_PARENTHESIS.sub(" ", text), 1.0), (details, weights.detail_weight)):
        for term, filler in _terms(part):
            counts[term] = counts.get(term, 0.0) + weight * (
                weights.filler_weight if filler else 1.0
            )
    return counts


def is_advisory(text: str) -> bool:
    """Whether the bullet's first verb (after a 'Label:' prefix) gives advice, not a practice."""
    label = _LABEL.match(text)
    words = _WORD.findall(text[label.end() if label else 0 :].lower())
    return bool(words) and words[0] in lexicon().advisory


def prohibits(text: str) -> bool:
    """Whether the bullet forbids what it names ("Never use ORMs") rather than recommends it."""
    # Its stance is its first sentence's; a parenthesis is an aside, not the stance.
    first = _SENTENCE_END.split(text.strip(), maxsplit=1)[0]
    stance = _PARENTHESIS.sub(" ", first.lower().replace("\u2019", "'"))
    return bool(lexicon().prohibition.search(stance.strip()))


def named_terms(text: str) -> tuple[str, ...]:
    """Technologies, protocols, acronyms and proper names in text, as written, in order.

    A token counts when it is an acronym or mixed-case (JWT, OAuth2, GraphQL), carries a digit
    (Argon2, 3NF), is a known technology (bcrypt, Saga), or is capitalised mid-sentence
    (Redis, Memcached); a Title Case word of a label before a colon ("Context Gathering:",
    "Command, Coordinate, Control:") does not.
    """
    technologies = lexicon().technologies
    label = _LABEL.match(text)
    skip_until = label.end() if label else 0
    found: dict[str, str] = {}
    for match in _NAMED.finditer(text):
        token = match.group(0).rstrip(".")
        if len(token) < 2:
            continue
        lower = token.lower()
        if lower == token:  # no capitals: a known technology or one with a digit ("3nf")
            named = lower in technologies or _has_digit_and_letter(token)
        else:
            upper_count = sum(map(str.isupper, token))
            named = (
                upper_count >= 2
                or not token[0].isupper()  # mixed case: "gRPC", "iOS"
                or _has_digit_and_letter(token)
                or lower in technologies
                or not (match.start() < skip_until or _starts_sentence(text, match.start()))
            )
        if named:
            found.setdefault(lower, token)
    return tuple(found.values())


def _has_digit_and_letter(token: str) -> bool:
    return not token.isalpha() and any(map(str.isdigit, token)) and any(map(str.isalpha, token))


_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")  # [text](target)


def strip_markup(markdown: str) -> str:
    """Markdown as its words read: emphasis and code marks and link targets dropped."""
    if "](" in markdown:  # most lines have no link: skip the regex (the parser keys every line)
        markdown = _LINK.sub(r"\1", markdown)
    return markdown.replace("*", "").replace("`", "")


class TermIndex:
    """Answers contains_term(text, ...) for many terms of one text without rescanning it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = {m.group(0).rstrip(".").lower() for m in _NAMED.finditer(text)}

    def __contains__(self, term: str) -> bool:
        return term.lower() in self.tokens or contains_term(self.text, term)


def _starts_sentence(text: str, at: int) -> bool:
    """Whether position at begins a sentence: text start, after . ! ? : ; or a spaced dash,
    or right after an opening quote."""
    if at and text[at - 1] in "\"'\u201c\u2018":
        return True  # an opening quote starts a quoted sentence: '"Create a new API"'
    before = text[:at].rstrip()
    if not before:
        return True
    if before[-1] in ".!?:;":
        return at > len(before)  # "Node.js" is not a sentence break; ". Next" is
    return before[-1] in "-—" and text[at - 1] == " " and before[:-1].endswith(" ")


def contains_term(text: str, term: str) -> bool:
    """Whether term occurs in text as a whole token, ignoring case."""
    return _term_pattern(term).search(text) is not None


@cache
def _term_pattern(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<![A-Za-z0-9])" + re.escape(term) + r"(?![A-Za-z0-9])", re.IGNORECASE)
