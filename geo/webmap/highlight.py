"""Highlighted article text (ingest preview, article view): spans as ``<mark>``, all text escaped."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from geo.webmap.popups import esc
from geo.webmap.render import static_text


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # css suffix: place, unresolved, trigger, date, sentence
    title: str = ""
    priority: int = 0  # higher wins where spans overlap


HIGHLIGHT_CSS = "\n<style>\n" + static_text("highlight.css") + "</style>\n"


def _choose(text: str, spans: Iterable[Span]) -> list[Span]:
    chosen: list[Span] = []
    ordered = sorted(
        (s for s in spans if s is not None and 0 <= s.start < s.end <= len(text)),
        key=lambda s: (-s.priority, s.start, -(s.end - s.start)),
    )
    taken = np.zeros(len(text) + 1, dtype=bool)
    for s in ordered:
        free = ~taken[s.start : s.end]
        if free.all():
            chosen.append(s)
            taken[s.start : s.end] = True
        elif free.any():
            # keep the free stretches of a lower-priority span (sentences around places)
            idx = np.flatnonzero(free)
            for run in np.split(idx, np.flatnonzero(np.diff(idx) != 1) + 1):
                if len(run):
                    part = Span(s.start + int(run[0]), s.start + int(run[-1]) + 1, s.kind, s.title, s.priority)
                    chosen.append(part)
                    taken[part.start : part.end] = True
    chosen.sort(key=lambda s: s.start)
    return chosen


def highlight_spans(text: str, spans: Iterable[Span]) -> str:
    """``text`` as escaped HTML with the spans wrapped in ``<mark class="hl-KIND">``.

    Spans out of range are dropped; where spans overlap, the higher priority (then the earlier,
    then the longer) wins and the other is clipped or dropped: marks never nest.
    """
    text = text or ""
    out, pos = [], 0
    for s in _choose(text, spans):
        out.append(esc(text[pos : s.start]))
        title = f' title="{esc(s.title)}"' if s.title else ""
        out.append(f'<mark class="hl-{esc(s.kind)}"{title}>{esc(text[s.start:s.end])}</mark>')
        pos = s.end
    out.append(esc(text[pos:]))
    return '<div class="geo-text">' + "".join(out) + "</div>"
