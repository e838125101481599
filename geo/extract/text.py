"""Sentence and clause segmentation with character spans (offsets into the original text)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Abbreviations whose period does not end a sentence.
_ABBREVIATIONS = frozenset(
    "jan feb mar apr jun jul aug sep sept oct nov dec mr mrs ms dr gen col lt maj capt sgt st "
    "u.s u.n u.k no vs e.g i.e etc".split()
)
_SENTENCE_END = re.compile(r"[.!?;…]+(?=[\s\"'”’)\]]|$)|\n\s*\n|[;…](?=\S)")
# Clause boundaries inside a sentence: commas, colons, dashes and linking words that start a
# new predicate. The linking word belongs to the clause it opens.
_CLAUSE_BOUNDARY = re.compile(
    r"\s*[,:;]\s+|\s+[–—-]{1,2}\s+|\s+(?=(?:while|whereas|after|before|as|amid|but|and|when|where)\s)",
    re.IGNORECASE,
)


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
            word = re.search(r"([\w.]+)\.*$", text[start : match.start()])
            if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
                continue
        _append(spans, text, start, end)
        start = end
    _append(spans, text, start, len(text))
    return spans


def _append(spans: list[Span], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip(" \t\r\n;")
    if not stripped or not any(c.isalnum() for c in stripped):
        return
    offset = start + chunk.index(stripped)
    spans.append(Span(offset, offset + len(stripped), stripped))


def paragraphs(text: str) -> list[Span]:
    out: list[Span] = []
    start = 0
    for match in re.finditer(r"\n\s*\n", text):
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
