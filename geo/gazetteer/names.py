"""Transliteration-tolerant keys for place names, and THE text fold.

One per-character table (:data:`FOLD_TABLE`, applied with ``str.translate``) folds case,
diacritics, ayn/hamza/apostrophe marks, the letters NFKD leaves alone (ı ß ø æ œ ł đ þ ð) and,
in Arabic script, alef forms, ta marbuta, alef maqsura, harakat and tatweel. One per-token step
(:func:`fold_token`) then drops Arabic articles (``al``, ``el``, ``ash``... as separate tokens,
``ال`` as a prefix), doubled letters and a trailing ``h`` after a vowel, and a possessive ``'s``.
Both users are built on these two functions, so a name and the same name in running text fold
alike:

- :func:`name_key`: the exact-match key of a name. ``Ma'arrat al-Nu'man``, ``Maarrat an Numan``
  and ``Ma`arrat an Nu`man`` all become ``marat numan``; ``Raqqah`` and ``Raqqa`` become ``raqa``.
- :func:`fold_tokens`: the tokens of a running text, folded, with their spans in the original
  text (the toponym finder matches name keys against them).
- :func:`skeleton_key`: the consonant skeleton of ``name_key`` with letters that transliterations
  swap merged (q/k, ou/u/o/w, e/i/a...): ``Menbij``/``Manbij``, ``Idlib``/``Idleb``,
  ``Deir ez-Zor``/``Dayr az Zawr``/``Deir al-Zour`` share one skeleton. Skeleton matches are
  looser, so the geocoder accepts them only with a fuzzy check on the name keys.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import accumulate, compress

# Arabic definite-article forms written as separate tokens after hyphen splitting.
_ARTICLES = frozenset(
    "al el il ul ar er as es ash esh at et ad ed az ez an en ath adh dh ats".split()
)
# Marks that transliterations use for ayn, hamza and apostrophes: dropped, not spaced.
_MARKS = "'`’‘ʿʾʼ´′ʻ"
# Token separators, the same for names and running text.
_SEPARATORS = r"\s\-_/.,;:()\[\]\"!?“”«»„…–—"
_TOKEN_RE = re.compile(rf"[^{_SEPARATORS}]+")
_SEPARATOR_RE = re.compile(rf"([{_SEPARATORS}]+)")  # the complement of _TOKEN_RE, kept by split
# An ASCII text with its separators as spaces (bytes.translate), for fold_spans' split.
_ASCII_SEPARATORS = bytes(32 if _SEPARATOR_RE.fullmatch(chr(c)) else c for c in range(128)) + bytes(range(128, 256))
_DOUBLE_RE = re.compile(r"(.)\1+")
_ARABIC_RE = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
# Letters that NFKD does not decompose, spelled as an English text would.
_SPECIAL = {"ı": "i", "ß": "ss", "ẞ": "ss", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
            "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d", "ħ": "h",
            "Ħ": "h", "ŋ": "ng"}
_ARABIC_LETTERS = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي", "ـ": ""}


def _fold_char(ch: str) -> str:
    """The folded form of one character (see the module docstring); computed once per character."""
    if ch in _MARKS:
        return ""
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    if ch in _ARABIC_LETTERS:
        return _ARABIC_LETTERS[ch]
    code = ord(ch)
    if 0x064B <= code <= 0x065F or code == 0x0670:
        return ""  # harakat, dagger alef
    if _ARABIC_RE.match(ch):
        # Presentation forms (ﻻ, ﺍ...) to the letters, then the letter folds above.
        return "".join(_ARABIC_LETTERS.get(c, c) for c in unicodedata.normalize("NFKC", ch)
                       if not (0x064B <= ord(c) <= 0x065F or ord(c) == 0x0670))
    out = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).lower()
    out = "".join(_SPECIAL.get(c, c) for c in unicodedata.normalize("NFKD", out) if not unicodedata.combining(c))
    return out


class _FoldTable(dict):
    """``str.translate`` table that computes a character's fold on first sight and keeps it."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        return folded


FOLD_TABLE = _FoldTable()
for _code in range(0x0250):  # Latin-1 and Latin Extended-A/B precomputed; the rest on demand
    FOLD_TABLE[_code]  # fills the table (the lookup computes and stores the fold)


def fold_chars(text: str) -> str:
    """Case, diacritics, marks and letter variants folded (one ``str.translate``)."""
    return text.translate(FOLD_TABLE)


def is_arabic(text: str) -> bool:
    return bool(_ARABIC_RE.search(text))


@lru_cache(maxsize=500_000)
def fold_token(token: str) -> str:
    """One token (no separators) folded; "" for an article or a token with no letters left."""
    if len(token) > 4 and token[-2] in "'’" and token[-1] in "sS":
        token = token[:-2]  # possessive "Aleppo's"
    word = token.translate(FOLD_TABLE)
    if not word:
        return ""
    if _ARABIC_RE.search(word):
        return word[2:] if word.startswith("ال") and len(word) > 3 else word
    if word in _ARTICLES:
        return ""
    word = _DOUBLE_RE.sub(r"\1", word)
    if len(word) > 3 and word[-1] == "h" and word[-2] in "aeiou":
        word = word[:-1]
    return word


def is_article(token: str) -> bool:
    """Whether a token is an Arabic article (al, el, ash, aş...) that the fold drops."""
    return token.translate(FOLD_TABLE) in _ARTICLES


def fold_spans(text: str) -> tuple[list[str], list[int], list[int]]:
    """(folded tokens, their starts, their ends) for every token of a running text that folds to
    something; articles and bare marks are left out (a name's key has no articles either).

    The tokens are those of ``_TOKEN_RE.finditer``: one ``split`` on the separator runs gives
    them alternating with the separators, and the spans are the running sum of the pieces'
    lengths (no match object per token). An ASCII text is split by ``str.split`` once its
    separators are spaces: each piece is followed by one separator (runs give empty pieces)."""
    if text.isascii():
        parts = text.encode("ascii").translate(_ASCII_SEPARATORS).decode("ascii").split(" ")
        kept = list(map(bool, parts))
        starts = list(compress(accumulate(map((1).__add__, map(len, parts)), initial=0), kept))
        pieces = list(compress(parts, kept))
        ends = list(map(int.__add__, starts, map(len, pieces)))
        folded = list(map(fold_token, pieces))
    else:
        pieces = _SEPARATOR_RE.split(text)  # token, separators, token, ..., token ("" at the ends)
        offsets = list(accumulate(map(len, pieces), initial=0))
        folded = list(map(fold_token, pieces[::2]))
        starts, ends = offsets[0:-1:2], offsets[1::2]  # token i is pieces[2i]
    if all(folded):
        return folded, starts, ends
    kept = list(map(bool, folded))
    return list(compress(folded, kept)), list(compress(starts, kept)), list(compress(ends, kept))


def fold_tokens(text: str) -> list[tuple[str, int, int]]:
    """(folded token, start, end) for every token of a running text that folds to something
    (see :func:`fold_spans`)."""
    return list(zip(*fold_spans(text)))


@lru_cache(maxsize=200_000)
def name_key(name: str) -> str:
    """Exact-match key: see the module docstring. Returns "" for a name with no letters."""
    raw = _TOKEN_RE.findall(name)
    folded = [fold_token(t) for t in raw]
    kept = [f for f in folded if f]
    if not kept:
        # Never the whole name away: "As" alone stays "as".
        kept = [_DOUBLE_RE.sub(r"\1", t.translate(FOLD_TABLE)) for t in raw]
        kept = [k for k in kept if k]
    return " ".join(kept)


_DIGRAPHS = (("sh", "S"), ("kh", "x"), ("gh", "g"), ("th", "t"), ("dh", "z"), ("ch", "S"),
             ("ph", "f"), ("ck", "k"))
_LETTER_MAP = str.maketrans({"q": "k", "c": "k", "v": "w", "j": "j", "p": "b"})


@lru_cache(maxsize=200_000)
def skeleton_key(name: str) -> str:
    """Consonant skeleton of :func:`name_key` (see the module docstring)."""
    key = name_key(name)
    if not key or is_arabic(key):
        return key
    words = []
    for word in key.split():
        for digraph, repl in _DIGRAPHS:
            word = word.replace(digraph, repl)
        word = word.translate(_LETTER_MAP)
        first, rest = word[0], word[1:]
        # w and y are vowels after the first letter (Dayr/Deir, Zawr/Zour); initial vowels go.
        rest = re.sub(r"[aeiouwy]", "", rest)
        if first in "aeiou":
            first = ""
        if first in "wy" and not rest:
            first = ""
        word = _DOUBLE_RE.sub(r"\1", first + rest)
        if len(word) > 1 and word.endswith("h"):
            word = word[:-1]
        if word:
            words.append(word)
    return " ".join(words)


def tokens(text: str) -> list[str]:
    """Split a normalised key into tokens."""
    return text.split()


def is_usable_name(name: str) -> bool:
    """Whether an alternate name is worth indexing: Latin or Arabic script, 3+ letters.

    Drops Cyrillic, CJK... (never in the texts this tool reads), GeoNames' lower-case
    romanisations of Arabic (``altbqt``, ``a lei po``) and short codes (``ALP``), which nobody
    writes in a news text and which collide with real words.
    """
    letters = [c for c in name if c.isalpha()]
    if len(letters) < 3:
        return False
    if name == name.lower() and name.isascii():
        return False
    if name.isupper() and len(name) <= 4:
        return False
    return all(unicodedata.name(c, "").startswith(("LATIN", "ARABIC")) for c in letters)
