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
string) the plain pattern is used. Where every match starts a word, the possible starts are
found by an Aho-Corasick automaton of the alternatives' first letters instead (see
:func:`_word_text`): one pass over the text, where the engine tried a branch per first letter
at every word.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence

import ahocorasick

from geo.words import CASE_ODD

log = logging.getLogger(__name__)

try:  # the parser behind re.compile (private, but stable since 3.11); without it: the plain pattern
    import re._constants as _sre_c
    import re._parser as _sre_parse
except ImportError:  # pragma: no cover - other Python implementations
    _sre_parse = None

# A start character whose bucket is not compiled yet (a bucket may be None: no alternative).
_UNSEEN = object()
# Character ranges ([a-z], [A-Z]) up to this size are listed character by character.
_MAX_RANGE = 256


# The text an automaton of word starts reads (_word_text): a space for the start and for each
# character that is no ASCII word character (a non-ASCII character is replaced by "?" first, one
# for one, so positions are kept), ASCII letters lower-cased (_FOLD) or as written (_EXACT).
_FOLD = bytes(c if chr(c).isalnum() or c == 95 else 32 for c in range(128)).lower() + b" " * 128
_EXACT = bytes(c if chr(c).isalnum() or c == 95 else 32 for c in range(128)) + b" " * 128
# A text holding one of these is scanned by the engine: IGNORECASE matches a CASE_ODD letter to
# an ASCII one, and another script's digit matches \d, which the ASCII form would lose.
# (One set first: the engine skips in C to the non-ASCII characters, then looks back at each.)
_ODD_TEXT = re.compile(r"[^\x00-\x7f](?<=[\d" + "".join(CASE_ODD) + "])")
# The last text asked for and its forms (text, _FOLD form, _EXACT form; True: not made yet, False:
# the engine scans this text): the stages ask several alternations about one text in a row.
_last_text: list = ["", None, None]


def _word_text(text: str, fold: bool) -> str | None:
    """`` " " + text`` as the word-start automata read it, or None where only the engine can tell
    where a match may start (a CASE_ODD letter, another script's digit). A match of a word
    alternation starts after a non-word character (or at the start) with one of its literal
    prefixes, in ASCII (case-insensitively under IGNORECASE: CASE_ODD aside, ASCII letters are
    matched only by ASCII letters); mapped alike, the prefix (a space before it) is found in
    this form at the same place, so every match start is found, with a few more that the
    per-character pattern then refuses (after a non-ASCII letter, say)."""
    last = _last_text
    if last[0] is not text:  # (the same object: a string does not change)
        odd = not text.isascii() and _ODD_TEXT.search(text) is not None
        last[:] = text, not odd, not odd
    form = last[1 if fold else 2]
    if form is True:
        form = (" " + text).encode("ascii", "replace").translate(_FOLD if fold else _EXACT).decode("ascii")
        last[1 if fold else 2] = form
    return form or None


class _Unbounded(Exception):
    """A (sub)pattern that may start with too many characters to list."""


def _first_of_set(items: list, ascii_digits: bool = False, spaces: bool = False) -> set[str]:
    """The characters of a set. ``ascii_digits``: ``\\d`` gives 0-9, for a caller that leaves every
    non-ASCII character (other scripts' digits among them) to the whole pattern. ``spaces``: ``\\s``
    and ``\\W`` give " " and ``\\d`` 0-9, for the word-start automaton's form of a text, where every
    character they match is a space or an ASCII digit (see _word_text)."""
    chars: set[str] = set()
    for op, av in items:
        if op is _sre_c.LITERAL:
            chars.add(chr(av))
        elif op is _sre_c.RANGE and av[1] - av[0] < _MAX_RANGE:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        elif op is _sre_c.CATEGORY and av is _sre_c.CATEGORY_DIGIT and (ascii_digits or spaces):
            chars.update("0123456789")  # (the automaton reads no text with another script's digit)
        elif op is _sre_c.CATEGORY and av in (_sre_c.CATEGORY_SPACE, _sre_c.CATEGORY_NOT_WORD) and spaces:
            chars.add(" ")
        else:  # a negated set, a category (\w, \s), a large range
            raise _Unbounded
    return chars


def _first(seq, ascii_digits: bool = False) -> tuple[set[str], bool]:
    """(characters a match of ``seq`` can start with, whether it can match the empty string);
    ``ascii_digits`` as in :func:`_first_of_set`."""
    chars: set[str] = set()
    for op, av in seq:
        if op in (_sre_c.ASSERT, _sre_c.ASSERT_NOT, _sre_c.AT):
            continue  # zero-width: the next item gives the first character
        if op is _sre_c.LITERAL:
            chars.add(chr(av))
            return chars, False
        if op is _sre_c.IN:
            return chars | _first_of_set(av, ascii_digits), False
        if op is _sre_c.BRANCH:
            nullable = False
            for branch in av[1]:
                sub, empty = _first(branch, ascii_digits)
                chars |= sub
                nullable = nullable or empty
            if not nullable:
                return chars, False
        elif op is _sre_c.SUBPATTERN:
            if av[1] or av[2]:
                raise _Unbounded  # inline flags (?i:...) change what the characters match
            sub, empty = _first(av[3], ascii_digits)
            chars |= sub
            if not empty:
                return chars, False
        elif op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT, _sre_c.POSSESSIVE_REPEAT):
            sub, empty = _first(av[2], ascii_digits)
            chars |= sub
            if av[0] > 0 and not empty:
                return chars, False
        elif op is _sre_c.ATOMIC_GROUP:
            sub, empty = _first(av, ascii_digits)
            chars |= sub
            if not empty:
                return chars, False
        else:  # ANY, NOT_LITERAL, group references...
            raise _Unbounded
    return chars, True


# Prefixes that only say which character may not come before a match, as the set of the characters
# that may (see Alternation._prefix_scan): "\b" before a word character is "no word character before".
_BEFORE_SET = {r"(?<![\w-])": r"[^\w-]", r"\b": r"\W"}

# How many leading characters the scan checks (fewer when that would list too many prefixes); the
# word-start automaton, whose size does not slow its pass, checks more.
_PREFIX_CHARS = 4
_AUTOMATON_CHARS = 8
_MAX_PREFIXES = 4000
_Prefixes = set[tuple[str, bool]]  # (literal prefix, whether a longer one could still follow)


def _extend(heads: _Prefixes, tails: _Prefixes, need: int) -> _Prefixes:
    out: _Prefixes = set()
    for head, more in heads:
        if not more or len(head) >= need:
            out.add((head, False))
            continue
        for tail, tail_more in tails:
            joined = head + tail
            out.add((joined[:need], tail_more and len(joined) < need))
    if len(out) > _MAX_PREFIXES:
        raise _Unbounded("too many prefixes")
    return out


def _prefixes(seq, need: int, leading_digits: bool = False, spaces: bool = False) -> _Prefixes:
    """The literal strings (up to ``need`` characters) that every match of ``seq`` starts with one
    of. A prefix is cut short where the pattern allows too many characters (``\\w``, ``[^x]``),
    so it may be shorter than ``need``: it then only says how a match starts. ``leading_digits``:
    a ``\\d`` that a match starts with gives the one-character prefixes 0-9 (the caller finds
    other scripts' digits itself); elsewhere, ``\\d`` ends the prefixes, as other categories do.
    ``spaces``: as in :func:`_first_of_set`."""
    heads: _Prefixes = {("", True)}
    for op, av in seq:
        if op in (_sre_c.ASSERT, _sre_c.ASSERT_NOT, _sre_c.AT):
            continue
        at_start = leading_digits and heads == {("", True)}
        try:
            if op is _sre_c.LITERAL:
                tails: _Prefixes = {(chr(av), True)}
            elif op is _sre_c.IN:
                try:
                    tails = {(c, True) for c in _first_of_set(av, spaces=spaces)}
                except _Unbounded:
                    if not at_start:
                        raise
                    tails = {(c, False) for c in _first_of_set(av, ascii_digits=True)}
            elif op is _sre_c.BRANCH:
                tails = set().union(*(_prefixes(branch, need, at_start, spaces) for branch in av[1]))
            elif op is _sre_c.SUBPATTERN and not (av[1] or av[2]):
                tails = _prefixes(av[3], need, at_start, spaces)
            elif op is _sre_c.ATOMIC_GROUP:
                tails = _prefixes(av, need, at_start, spaces)
            elif op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT, _sre_c.POSSESSIVE_REPEAT):
                tails = _repeat_prefixes(av, need, at_start, spaces)
            else:
                raise _Unbounded
        except _Unbounded:
            tails = {("", False)}  # anything may follow: the prefixes end here
        heads = _extend(heads, tails, need)
        if not any(more and len(head) < need for head, more in heads):
            break
    return heads


def _repeat_prefixes(av, need: int, leading_digits: bool = False, spaces: bool = False) -> _Prefixes:
    low, high, sub = av
    first = _prefixes(sub, need, leading_digits, spaces)  # (the first repetition starts the match)
    one = _prefixes(sub, need, False, spaces) if leading_digits else first
    reps: _Prefixes = {("", True)}
    out: _Prefixes = set(reps) if low == 0 else set()
    count = 0
    while count < high and count <= need and any(more and len(h) < need for h, more in reps):
        reps = _extend(reps, first if count == 0 else one, need)
        count += 1
        if count >= low:
            out |= reps
    if count < low:  # more repetitions required than checked: the prefixes end here
        out |= {(h, False) for h, _ in reps}
    return out


def case_set(char: str) -> str:
    """A pattern for ``char`` as ``re.IGNORECASE`` matches it, without the flag: an ASCII letter as
    the set of its cases (and the CASE_ODD letters matched to it), which a branch passes over
    without entering it when the text's character differs (a case-folded literal is entered)."""
    if not char.isascii():
        return f"(?i:{re.escape(char)})"
    cases = [c for c in dict.fromkeys((char, char.lower(), char.upper(), *CASE_ODD))
             if re.fullmatch(re.escape(char), c, re.IGNORECASE)]
    return re.escape(char) if len(cases) == 1 else "[" + "".join(cases) + "]"


def trie(strings: Iterable[str], tails: Mapping[str, str] | None = None, *, fold: bool = False) -> str:
    """A regex matching exactly the texts that start with one of ``strings``, factored as a trie
    ("ab", "ac" -> "a[bc]") so that the engine compares each character once. ``tails``: a pattern
    that must follow a string (by string; none for the others). Every branch starts with a
    literal, so a search skips in C to the characters that can start one. ``fold``: the strings
    (lower-case) match in any case, as under ``re.IGNORECASE`` (each letter a case_set)."""
    tails = tails or {}
    return _trie({text: tails.get(text, "") for text in strings}, case_set if fold else re.escape)


def _trie(tails: dict[str, str], char) -> str:  # type: ignore[no-untyped-def]
    if "" in tails:
        if not tails[""]:
            return ""  # a string ends here: any longer one adds nothing to a search
        rest = {k: v for k, v in tails.items() if k}
        return f"(?:{tails['']}|{_trie(rest, char)})" if rest else tails[""]
    groups: dict[str, dict[str, str]] = {}
    for text, tail in tails.items():
        groups.setdefault(text[0], {})[text[1:]] = tail
    parts = [char(first) + _trie(rest, char) for first, rest in sorted(groups.items())]
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


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
    define capturing groups of their own beyond those names. The per-character patterns are
    compiled when a text first needs them (compiling them all would slow every import)."""

    def __init__(self, named: Sequence[tuple[str, str]], flags: int = 0, *, prefix: str = "",
                 suffix: str = "") -> None:
        self._named = list(named)
        self._flags = flags
        self._prefix, self._suffix = prefix, suffix
        self.pattern = self._source(self._named)
        self._full: re.Pattern | None = None
        self._fold = bool(flags & re.IGNORECASE)
        self._pieces: list[tuple[str, str, set[str]]] = []  # (name, piece, start keys), in order
        self._buckets: dict[str, re.Pattern | None] = {}
        self._scan: re.Pattern | None = None
        self._shift = False  # the scan takes the character before a match too (see _prefix_scan)
        self._starts: ahocorasick.Automaton | None = None  # the word-start scan (_word_starts)
        self._piece_forms: list[frozenset[str]] = []  # each piece's prefixes, as the automaton has them
        self._prefix_buckets: dict[str, re.Pattern] = {}  # by the prefix the automaton found (_prefix_bucket)
        try:
            self._build()
        except (_Unbounded, re.error, AttributeError, TypeError) as exc:
            log.debug("alternation used whole (%s): %s", type(exc).__name__, exc)
            self._scan = None

    def __getattr__(self, name: str):
        """Other ``re.Pattern`` methods (``search``, ``match``, ``sub``...) run the one plain pattern."""
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.full, name)

    @property
    def full(self) -> re.Pattern:
        """The one plain pattern (used where the dispatch does not apply)."""
        if self._full is None:
            self._full = re.compile(self.pattern, self._flags)
        return self._full

    def _source(self, named: Sequence[tuple[str, str]]) -> str:
        body = "|".join(f"(?P<{name}>{pattern})" for name, pattern in named)
        return f"{self._prefix}(?:{body}){self._suffix}"

    def _key(self, char: str) -> str | None:
        """The bucket of a start character; None (the whole pattern) for a non-ASCII character
        under IGNORECASE, whose case equivalents ("ı" ~ "i", "ſ" ~ "s") str.lower does not give."""
        if not self._fold:
            return char
        return char.lower() if char.isascii() else None

    def _build(self) -> None:
        if _sre_parse is None:
            raise _Unbounded("no regex parser")
        parsed = []
        for name, pattern in self._named:
            for piece in split_top_level(pattern):
                tree = _sre_parse.parse(piece, self._flags)
                # (Under IGNORECASE every non-ASCII character goes to the whole pattern: see _key.)
                chars, empty = _first(tree, ascii_digits=self._fold)
                keys = {self._key(c) for c in chars}
                if empty or None in keys:
                    raise _Unbounded(f"{piece!r} may start anywhere")
                self._pieces.append((name, piece, keys))  # type: ignore[arg-type]
                parsed.append(tree)
        starts: set[str] = set().union(*(keys for _, _, keys in self._pieces))
        self._scan = self._prefix_scan(parsed) or self._first_char_scan(starts)

    def _first_char_scan(self, starts: set[str]) -> re.Pattern:
        """Positions where the prefix holds and a start character follows."""
        scan = {c for key in starts for c in (key, key.upper())} if self._fold else starts
        cls = "".join("\\" + c if c in "\\]^-[" else c for c in sorted(scan))
        if self._fold:  # a non-ASCII start is decided by the whole pattern (see _key)
            cls += "\\u0080-\\U0010ffff"
        return re.compile(f"{self._prefix}(?=[{cls}])", self._flags)

    def _prefix_scan(self, parsed: list) -> re.Pattern | None:
        """Positions where the prefix holds and some alternative's first characters follow (a
        trie of literal prefixes, matched by the engine): fewer positions reach Python. The
        scan consumes one character, so that without a prefix the engine can skip to the
        possible first characters. None when some alternative has no literal prefix."""
        per_piece: list[set[str]] = []  # (in the order of self._pieces)
        for tree in parsed:
            for need in range(_PREFIX_CHARS, 0, -1):
                try:
                    found = _prefixes(tree, need, leading_digits=self._fold)
                    break
                except _Unbounded:
                    continue
            else:
                return None
            if any(not text for text, _ in found):
                return None
            per_piece.append({text.lower() if self._fold and text.isascii() else text for text, _ in found})
        strings: set[str] = set().union(*per_piece)
        groups: dict[str, set[str]] = {}
        for text in strings:
            groups.setdefault(text[0], set()).add(text[1:])
        # A prefix that excludes a character before the match, with matches that start with a word
        # character: the scan takes that character (the text searched with a space before it), so
        # that the engine skips in C to the characters that may come before a match (spaces,
        # punctuation) instead of trying the prefix at every character. Two candidates never need
        # the same character before them: the character after a candidate's first is never one.
        before = _BEFORE_SET.get(self._prefix)
        self._shift = before is not None and all(first.isalnum() or first == "_" for first in groups)
        self._starts = self._word_starts(parsed, words=self._shift)
        prefix = before if self._shift else self._prefix
        if not self._fold:
            parts = [re.escape(first) + (f"(?={rest})" if (rest := trie(rests)) else "")
                     for first, rests in sorted(groups.items())]
            return re.compile(f"{prefix}(?:{'|'.join(parts)})", self._flags)
        # Under IGNORECASE, each branch starts with one exact character, a case of the first
        # character (its capital, or one of the non-ASCII letters that IGNORECASE matches to it):
        # the engine passes over a branch whose exact first character differs without entering
        # it, where it enters every case-folded one. The rest is matched ignoring case, as before.
        # The rest is a trie of case sets (case_set): its branches are passed over as the first
        # character's are, where case-folded literals would each be entered.
        parts = []
        for first, rests in sorted(groups.items()):
            rest = trie(rests, fold=True)
            for case in dict.fromkeys((first, first.upper(), *CASE_ODD)):
                if re.fullmatch(re.escape(first), case, re.IGNORECASE):
                    parts.append(re.escape(case) + (f"(?={rest})" if rest else ""))
        if any(first.isdigit() for first in groups):
            # A match may start with \d: so with another script's digit, which the whole pattern
            # decides (see _key).
            parts.append("[^\\x00-\\x7f](?<=\\d)")
        if not self._shift:
            prefix = f"(?i:{self._prefix})" if self._prefix else ""
        return re.compile(f"{prefix}(?:{'|'.join(parts)})", self._flags & ~re.IGNORECASE)

    def _word_starts(self, parsed: list, *, words: bool) -> ahocorasick.Automaton | None:
        """An automaton of the pieces' prefixes (up to _AUTOMATON_CHARS, in the text's form: see
        _word_text, where \\s and \\W are spaces), each giving (its length, itself), with a space
        before each where every match starts a word (``words``: the prefix says so); a prefix that
        starts another is kept alone, so that a start is reported once, with the shortest prefix
        written there. None when a prefix is not ASCII."""
        table = _FOLD if self._fold else _EXACT
        per_piece: list[frozenset[str]] = []
        for tree in parsed:
            for need in range(_AUTOMATON_CHARS, 0, -1):  # (shorter where longer ones are too many)
                try:
                    texts = {text for text, _ in _prefixes(tree, need, leading_digits=self._fold, spaces=True)}
                except _Unbounded:
                    continue
                if all(texts) and all(text.isascii() for text in texts):
                    break
            else:
                return None
            per_piece.append(frozenset(text.encode("ascii").translate(table).decode("ascii") for text in texts))
        self._piece_forms = per_piece
        automaton = ahocorasick.Automaton()
        kept: str | None = None
        for key in sorted(set().union(*per_piece)):  # (a key that others start with comes right before them)
            if kept is None or not key.startswith(kept):
                automaton.add_word(" " + key if words else key, (len(key), key))
                kept = key
        automaton.make_automaton()
        return automaton

    def _prefix_bucket(self, key: str) -> re.Pattern:
        """The pattern of the alternatives that can start where the automaton found ``key``: those
        with a prefix that starts with it (compiled once). The key is the shortest prefix written
        there (see _word_starts): an alternative whose prefixes all differ from the text within
        their length, or within the key's, cannot match there."""
        named: dict[str, list[str]] = {}
        for (name, piece, _), forms in zip(self._pieces, self._piece_forms):
            if any(f.startswith(key) for f in forms):
                named.setdefault(name, []).append(piece)
        pattern = self._prefix_buckets[key] = re.compile(
            self._source([(n, "|".join(kept)) for n, kept in named.items()]), self._flags)
        return pattern

    def _bucket(self, char: str) -> re.Pattern | None:
        """The pattern of the alternatives that can start with ``char`` (compiled once), the
        whole pattern for a character the dispatch cannot decide, None when none can start."""
        key = self._key(char)
        if key is None:
            pattern: re.Pattern | None = self.full
        else:
            named: dict[str, list[str]] = {}
            for name, piece, first in self._pieces:
                if key in first:
                    named.setdefault(name, []).append(piece)
            pattern = re.compile(self._source([(n, "|".join(kept)) for n, kept in named.items()]),
                                 self._flags) if named else None
        self._buckets[char] = pattern
        return pattern

    def finditer(self, text: str) -> Iterator[re.Match]:
        """The matches of the whole alternation, left to right, not overlapping (as ``re.finditer``)."""
        if self._scan is None:
            yield from self.full.finditer(text)
            return
        form = _word_text(text, self._fold) if self._starts is not None else None
        if form is not None:
            yield from self._word_matches(text, form)
            return
        end = 0
        buckets = self._buckets
        # (Shifted: the scan's match starts at the character before the candidate, one place
        # later in the text searched, so its start is the candidate's position in ``text``.)
        for candidate in self._scan.finditer(" " + text if self._shift else text):
            pos = candidate.start()
            if pos < end:
                continue
            char = text[pos]
            pattern = buckets.get(char, _UNSEEN)
            if pattern is _UNSEEN:
                pattern = self._bucket(char)
            if pattern is None:
                continue
            match = pattern.match(text, pos)
            if match is not None:
                end = match.end()
                yield match

    def _word_matches(self, text: str, form: str) -> Iterator[re.Match]:
        """``finditer`` where the automaton finds the possible starts in ``form`` (_word_text)."""
        end = 0
        buckets = self._prefix_buckets
        # (A prefix of length n ending at ``last`` of the form starts at last - n of ``text``: the
        # form has a space before the text.)
        for pos, key in sorted([(last - n, key) for last, (n, key) in self._starts.iter(form)]):
            if pos < end:
                continue
            pattern = buckets.get(key) or self._prefix_bucket(key)
            match = pattern.match(text, pos)
            if match is not None:
                end = match.end()
                yield match
