"""Sentence and clause segmentation with character spans (offsets into the original text)."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate

# A "sentence" longer than this (a text without punctuation, a table flattened to one line) is cut
# at whitespace, so that the per-sentence steps, which pair every trigger with every place of
# the sentence, stay bounded and the whole pipeline linear in the text's length.
MAX_SENTENCE_CHARS = 1200

# Abbreviations whose period does not end a sentence.
_ABBREVIATIONS = frozenset((
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mr", "mrs", "ms", "dr",
    "gen", "col", "lt", "maj", "capt", "sgt", "st", "u.s", "u.n", "u.k", "no", "vs", "e.g", "i.e", "etc",
))
# Sentence ends: a run of [.!?;…] before a space, quote, bracket or the end; a blank line; a ";" or
# "…" glued to the next word. Written with the first character as one set, then the alternative
# checked by a lookbehind, so that the engine skips to the candidates in C (``re`` does that only
# for a pattern that starts with a set); the matches are those of
# ``[.!?;…]+(?=[\s"'”’)\]]|$)|\n\s*\n|[;…](?=\S)`` (tests/test_alternation.py).
_SENTENCE_END = re.compile(r"[.!?;…\n](?:(?<=[.!?;…])[.!?;…]*(?=[\s\"'”’)\]]|$)|(?<=\n)\s*\n|(?<=[;…])(?=\S))")
# Clause boundaries inside a sentence: commas, colons, dashes and linking words that start a
# new predicate. The linking word belongs to the clause it opens. The matches of
# ``\s*[,:;]\s+|\s+[–—-]{1,2}\s+|\s+(?=(?:while|...)\s)``, first character as one set (as above).
# The linking words are matched ignoring case, their first letter as a set of its two cases (w,
# a, b have no other letter that IGNORECASE matches to them): the engine passes over a branch
# whose first letter differs without entering it, where it enters every case-folded one.
_CLAUSE_BOUNDARY = re.compile(
    r"[\s,:;](?:(?<=\s)\s*(?:[,:;]\s+|[–—-]{1,2}\s+|(?=(?:[wW](?i:hile|hereas|hen|here)|[aA](?i:fter|s|mid|nd)"
    r"|[bB](?i:efore|ut))\s))|(?<=[,:;])\s+)"
)


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_WORD_BEFORE_PERIOD = re.compile(r"([\w.]+)\.*$")  # (compiled once: re.search looks it up per period)
_ALNUM = re.compile(r"[^\W_]")  # a character str.isalnum() accepts (re's \w is those and "_")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str


def sentences(text: str) -> list[Span]:
    """Sentences (and ';'-separated headlines) with their spans; blank ones dropped."""
    spans: list[Span] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if match.group().startswith("."):
            # Only the word before the period matters: look at a bounded tail, never the whole
            # run since the last boundary (which grows with every skipped abbreviation).
            word = _WORD_BEFORE_PERIOD.search(text[max(start, match.start() - 20) : match.start()])
            if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
                continue
        _append(spans, text, start, end)
        start = end
    _append(spans, text, start, len(text))
    return spans


def _append(spans: list[Span], text: str, start: int, end: int) -> None:
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + MAX_SENTENCE_CHARS // 2, start + MAX_SENTENCE_CHARS)
        cut = cut if cut > start else start + MAX_SENTENCE_CHARS
        _append(spans, text, start, cut)
        start = cut
    chunk = text[start:end]
    stripped = chunk.strip(" \t\r\n;")
    if not stripped or _ALNUM.search(stripped) is None:
        return
    offset = start + chunk.index(stripped)
    spans.append(Span(offset, offset + len(stripped), stripped))


def paragraphs(text: str) -> list[Span]:
    out: list[Span] = []
    start = 0
    if "\n" not in text:  # a headline: one paragraph (every break holds two newlines)
        _append(out, text, 0, len(text))
        return out
    for match in _PARAGRAPH_BREAK.finditer(text):
        _append(out, text, start, match.start())
        start = match.end()
    _append(out, text, start, len(text))
    return out


def clauses(sentence: Span) -> list[Span]:
    """Clauses of a sentence, as spans in the original text's coordinates."""
    out: list[Span] = []
    start = 0
    body = sentence.text
    for match in _CLAUSE_BOUNDARY.finditer(body):
        if match.start() > start:
            piece = body[start : match.start()]
            out.append(Span(sentence.start + start, sentence.start + match.start(), piece))
        start = match.end()
    if start < len(body):
        out.append(Span(sentence.start + start, sentence.end, body[start:]))
    return out or [sentence]


def clause_locator(cls: list[Span]) -> Callable[[int], int]:
    """pos -> index of the clause (of one sentence, at most MAX_SENTENCE_CHARS long) holding it."""
    def clause_of(pos: int) -> int:
        for i, c in enumerate(cls):
            if pos < c.end:
                return i
        return len(cls) - 1
    return clause_of


# "X and Y", "X and the village of Y": the "and" of a list of places, not of two clauses.
_LIST_AND = re.compile(r"and\s+(?:the\s+)?(?:(?:villages?|towns?|city|areas?|neighbou?rhoods?)\s+of\s+)?",
                       re.IGNORECASE)


def join_place_lists(sent: Span, cls: list[Span], names: Sequence[tuple[int, int]]) -> list[Span]:
    """Clauses with the clause boundary at the "and" of a list of places undone: "clashes in X
    and Y leave 25 dead" is one clause, so the dead, the trigger and the count belong to every
    place of the list, not only to the last. ``names``: the sentence's place names' spans."""
    if len(cls) < 2 or len(names) < 2:
        return cls
    starts = {start for start, _ in names}
    ends = {end for _, end in names}
    out = [cls[0]]
    for clause in cls[1:]:
        prev = out[-1]
        joint = _LIST_AND.match(clause.text)
        if joint and clause.start + joint.end() in starts and prev.start + len(prev.text.rstrip()) in ends:
            out[-1] = Span(prev.start, clause.end, sent.text[prev.start - sent.start:clause.end - sent.start])
        else:
            out.append(clause)
    return out


def index_of(spans: Sequence[Span], pos: int, starts: Sequence[int] | None = None) -> int:
    """Index of the span (sorted, not overlapping) that contains ``pos``, else of the last one
    starting before it (0 when none does). Pass ``starts`` when calling many times."""
    starts = starts if starts is not None else [s.start for s in spans]
    return max(0, bisect_right(starts, pos) - 1)


class SpanSet:
    """A fixed set of (start, end) intervals with O(log n) containment and overlap checks, so
    that masking names inside other spans stays linear in the text's length."""

    def __init__(self, intervals: Iterable[tuple[int, int]]) -> None:
        items = sorted(intervals)
        if items:
            starts, ends = zip(*items)
            self._starts: Sequence[int] = starts
            self._max_end: list[int] = list(accumulate(ends, max))
        else:
            self._starts, self._max_end = (), []

    def contains(self, pos: int) -> bool:
        """Whether some interval has start <= pos < end."""
        i = bisect_right(self._starts, pos) - 1
        return i >= 0 and self._max_end[i] > pos

    def overlaps(self, start: int, end: int) -> bool:
        """Whether some interval overlaps [start, end)."""
        i = bisect_left(self._starts, end) - 1
        return i >= 0 and self._max_end[i] > start


class Buckets:
    """Items with a ``start`` grouped by the span (sentence, paragraph) they start in."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans = spans
        self.starts = [s.start for s in spans]

    def index(self, pos: int) -> int:
        return index_of(self.spans, pos, self.starts)

    def group(self, items: Iterable) -> list[list]:
        if len(self.spans) == 1:  # a headline: one sentence, one paragraph
            only = self.spans[0]
            return [[item for item in items if only.start <= item.start < only.end]]
        out: list[list] = [[] for _ in self.spans]
        for item in items:
            i = self.index(item.start)
            if self.spans and self.spans[i].start <= item.start < self.spans[i].end:
                out[i].append(item)
        return out


def sentence_clauses(sent: Span, names: Sequence[tuple[int, int]], busy: bool) -> tuple[list[Span], Callable[[int], int]]:
    """A sentence's clauses (the "and" of a list of ``names`` joins, see join_place_lists) and the
    function from a position to its clause's index. A sentence with no trigger and no place
    (``busy`` false) is one clause: none is asked for."""
    cls = join_place_lists(sent, clauses(sent) if busy else [sent], names)
    return cls, clause_locator(cls)
