"""Transliteration-tolerant keys for place names.

Two keys are computed for every name:

- :func:`name_key`: case, diacritics, apostrophes/ayn marks, hyphens, Arabic articles
  (al-, el-, ar-, as-, ash-, at-, ad-, az-...), doubled letters and a trailing ``h`` after a vowel
  are folded away. ``Ma'arrat al-Nu'man``, ``Maarrat an Numan`` and ``Ma`arrat an Nu`man`` all
  become ``marat numan``; ``Raqqah`` and ``Raqqa`` become ``raqa``.
- :func:`skeleton_key`: the consonant skeleton of ``name_key`` with letters that transliterations
  swap merged (q/k, ou/u/o/w, e/i/a...): ``Menbij``/``Manbij``, ``Idlib``/``Idleb``,
  ``Deir ez-Zor``/``Dayr az Zawr``/``Deir al-Zour`` share one skeleton. Skeleton matches are
  looser, so the geocoder accepts them only with a fuzzy check on the name keys.

Arabic script is normalised separately (alef forms, ta marbuta, alef maqsura, harakat, the ``ال``
article).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Arabic definite-article forms written as separate tokens after hyphen splitting.
_ARTICLES = frozenset(
    "al el il ul ar er as es ash esh at et ad ed az ez an en ath adh dh ats".split()
)
# Marks that transliterations use for ayn, hamza and apostrophes: dropped, not spaced.
_DROP = dict.fromkeys(map(ord, "'`’‘ʿʾʼ´′\"ʻ"), None)
_SPACE_RE = re.compile(r"[\s\-_/.,()]+")
_DOUBLE_RE = re.compile(r"(.)\1+")
_ARABIC_RE = re.compile(r"[\u0600-\u06FF]")
_ARABIC_DIACRITICS_RE = re.compile(r"[\u064B-\u065F\u0670\u0640]")  # harakat, dagger alef, tatweel
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي"})


def is_arabic(text: str) -> bool:
    return bool(_ARABIC_RE.search(text))


def _strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _arabic_key(text: str) -> str:
    text = _ARABIC_DIACRITICS_RE.sub("", unicodedata.normalize("NFKC", text)).translate(_ARABIC_FOLD)
    tokens = []
    for token in _SPACE_RE.split(text):
        if not token:
            continue
        if token.startswith("ال") and len(token) > 3:
            token = token[2:]
        tokens.append(token)
    return " ".join(tokens)


@lru_cache(maxsize=200_000)
def name_key(name: str) -> str:
    """Exact-match key: see the module docstring. Returns "" for a name with no letters."""
    if is_arabic(name):
        return _arabic_key(name)
    text = _strip_diacritics(name).translate(_DROP).lower()
    text = text.replace("ı", "i").replace("ß", "ss").replace("ø", "o").replace("æ", "ae")
    tokens = [t for t in _SPACE_RE.split(text) if t]
    # Drop article tokens, but never the whole name ("As" alone stays "as").
    kept = [t for t in tokens if t not in _ARTICLES] or tokens
    folded = []
    for token in kept:
        token = _DOUBLE_RE.sub(r"\1", token)
        if len(token) > 3 and token.endswith("h") and token[-2] in "aeiou":
            token = token[:-1]
        folded.append(token)
    return " ".join(folded)


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
