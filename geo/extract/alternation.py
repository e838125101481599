"""Large alternations of word patterns, matched with the same results as one ``re`` pattern, faster.

Python's regex engine tries every alternative of ``(?P<t0>...)|(?P<t1>...)|...`` at every
position of the text. :class:`Alternation` gives exactly the matches of
``re.compile(prefix + "(?:" + "|".join(f"(?P<name>{pattern})") + ")" + suffix, flags).finditer``,
but tries at a position only the alternatives that can start with the character found there:
the first characters of each top-level alternative are read from the parsed pattern once, and
one smaller pattern is compiled per first character. Removing alternatives that cannot match at
a position does not change which alternative matches first there, so the matches are the same.

The lookbehind ``prefix`` (e.g. "not after a word character") and the scan for possible start
characters run inside the regex engine; only the possible starts reach Python. When a pattern
cannot be analysed (an alternative that may start with any character, or match the empty
string) the plain pattern is used.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence

log = logging.getLogger(__name__)

try:  # the parser behind re.compile (private, but stable since 3.11); without it: the plain pattern
    import re._constants as _sre_c
    import re._parser as _sre_parse
except ImportError:  # pragma: no cover - other Python implementations
    _sre_parse = None

# Character ranges ([a-z], [A-Z]) up to this size are listed character by character.
_MAX_RANGE = 256


class _Unbounded(Exception):
    """A (sub)pattern that may start with too many characters to list."""


def _first_of_set(items: list) -> set[str]:
    chars: set[str] = set()
    for op, av in items:
        if op is _sre_c.LITERAL:
            chars.add(chr(av))
        elif op is _sre_c.RANGE and av[1] - av[0] < _MAX_RANGE:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        else:  # a negated set, a category (\w, \s), a large range
            raise _Unbounded
    return chars


def _first(seq) -> tuple[set[str], bool]:
    """(characters a match of ``seq`` can start with, whether it can match the empty string)."""
    chars: set[str] = set()
    for op, av in seq:
        if op in (_sre_c.ASSERT, _sre_c.ASSERT_NOT, _sre_c.AT):
            continue  # zero-width: the next item gives the first character
        if op is _sre_c.LITERAL:
            chars.add(chr(av))
            return chars, False
        if op is _sre_c.IN:
            return chars | _first_of_set(av), False
        if op is _sre_c.BRANCH:
            nullable = False
            for branch in av[1]:
                sub, empty = _first(branch)
                chars |= sub
                nullable = nullable or empty
            if not nullable:
                return chars, False
        elif op is _sre_c.SUBPATTERN:
            if av[1] or av[2]:
                raise _Unbounded  # inline flags (?i:...) change what the characters match
            sub, empty = _first(av[3])
            chars |= sub
            if not empty:
                return chars, False
        elif op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT, _sre_c.POSSESSIVE_REPEAT):
            sub, empty = _first(av[2])
            chars |= sub
            if av[0] > 0 and not empty:
                return chars, False
        elif op is _sre_c.ATOMIC_GROUP:
            sub, empty = _first(av)
            chars |= sub
            if not empty:
                return chars, False
        else:  # ANY, NOT_LITERAL, group references...
            raise _Unbounded
    return chars, True


def split_top_level(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern ("a|(?:b|c)|[|]" -> ["a", "(?:b|c)", "[|]"])."""
    pieces, depth, in_class, start, i = [], 0, False, 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            # "]" right after "[" or "[^" is a literal, not the end of the set
            if c == "]" and not (pattern[i - 1] == "[" or pattern[i - 2 : i] == "[^"):
                in_class = False
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            pieces.append(pattern[start:i])
            start = i + 1
        i += 1
    pieces.append(pattern[start:])
    return pieces


class Alternation:
    """Named word patterns as one alternation: ``finditer`` gives the matches (``re.Match``, with
    ``lastgroup`` the alternative's name) of ``prefix(?:(?P<name>pattern)|...)suffix``.

    ``prefix`` and ``suffix`` must be zero-width (lookarounds, ``\\b``); the patterns must not
    define capturing groups of their own beyond those names."""

    def __init__(self, named: Sequence[tuple[str, str]], flags: int = 0, *, prefix: str = "",
                 suffix: str = "") -> None:
        self._named = list(named)
        self._flags = flags
        self._prefix, self._suffix = prefix, suffix
        self.full = self._compile(self._named)
        self.pattern = self.full.pattern
        self._fold = bool(flags & re.IGNORECASE)
        self._buckets: dict[str, re.Pattern] = {}
        self._scan: re.Pattern | None = None
        try:
            self._build()
        except (_Unbounded, re.error, AttributeError, TypeError) as exc:
            log.debug("alternation used whole (%s): %s", type(exc).__name__, exc)
            self._scan = None

    def _compile(self, named: Sequence[tuple[str, str]]) -> re.Pattern:
        body = "|".join(f"(?P<{name}>{pattern})" for name, pattern in named)
        return re.compile(f"{self._prefix}(?:{body}){self._suffix}", self._flags)

    def _key(self, char: str) -> str | None:
        """The bucket of a start character; None (the whole pattern) for a non-ASCII character
        under IGNORECASE, whose case equivalents ("ı" ~ "i", "ſ" ~ "s") str.lower does not give."""
        if not self._fold:
            return char
        return char.lower() if char.isascii() else None

    def _build(self) -> None:
        if _sre_parse is None:
            raise _Unbounded("no regex parser")
        pieces: list[tuple[str, str, set[str]]] = []  # (name, piece, start keys), in order
        for name, pattern in self._named:
            for piece in split_top_level(pattern):
                chars, empty = _first(_sre_parse.parse(piece, self._flags))
                keys = {self._key(c) for c in chars}
                if empty or None in keys:
                    raise _Unbounded(f"{piece!r} may start anywhere")
                pieces.append((name, piece, keys))  # type: ignore[arg-type]
        starts: set[str] = set().union(*(keys for _, _, keys in pieces))
        for key in starts:
            self._buckets[key] = self._compile(self._group(pieces, key))
        scan = {c for key in starts for c in (key, key.upper())} if self._fold else starts
        cls = "".join("\\" + c if c in "\\]^-[" else c for c in sorted(scan))
        if self._fold:  # a non-ASCII start is decided by the whole pattern (see _key)
            cls += "\\u0080-\\U0010ffff"
        self._scan = re.compile(f"{self._prefix}(?=[{cls}])", self._flags)
        if self._fold:
            for key in list(self._buckets):
                self._buckets.setdefault(key.upper(), self._buckets[key])

    @staticmethod
    def _group(pieces: list[tuple[str, str, set[str]]], key: str) -> list[tuple[str, str]]:
        """The alternatives that can start with ``key``, each name's pieces joined again, names in
        their first order."""
        out: dict[str, list[str]] = {}
        for name, piece, first in pieces:
            if key in first:
                out.setdefault(name, []).append(piece)
        return [(name, "|".join(kept)) for name, kept in out.items()]

    def finditer(self, text: str) -> Iterator[re.Match]:
        """The matches of the whole alternation, left to right, not overlapping (as ``re.finditer``)."""
        if self._scan is None:
            yield from self.full.finditer(text)
            return
        end = 0
        buckets, full = self._buckets, self.full
        for candidate in self._scan.finditer(text):
            pos = candidate.start()
            if pos < end:
                continue
            char = text[pos]
            pattern = buckets.get(char)
            if pattern is None:
                if not (self._fold and not char.isascii()):
                    continue
                pattern = full
            match = pattern.match(text, pos)
            if match is not None:
                end = match.end()
                yield match
