"""Cheap word checks put in front of regular-expression scans: most texts hold none of the words a
pattern needs, and a substring test on the lower-cased text is much cheaper than the scan. Used by
the date parser (geo.dates) and the extractor (geo.extract); imports nothing of the package."""

from __future__ import annotations

# The only non-ASCII characters that ``re.IGNORECASE`` matches to ASCII letters (İ ı ~ i, ſ ~ s,
# the Kelvin sign ~ k): a text without them matches an ASCII word case-insensitively exactly
# where its ``str.lower()`` contains the word.
CASE_ODD = ("\u0130", "\u0131", "\u017f", "\u212a")


# The last text asked about and its lower-cased form (None: it holds a CASE_ODD character): the
# stages ask about one sentence several times in a row, with different words.
_last: tuple[str, str | None] = ("", "")


def lacks_words(text: str, words: tuple[str, ...]) -> bool:
    """True only when no lower-case ASCII word of ``words`` occurs in ``text`` in any case, as
    ``re.IGNORECASE`` sees it: a cheap proof that a pattern needing one of them cannot match
    (False when unsure, and the pattern decides)."""
    global _last
    last, low = _last
    if text is not last:  # (the same object: a string does not change)
        low = None if not text.isascii() and any(map(text.__contains__, CASE_ODD)) else text.lower()
        _last = (text, low)
    return low is not None and not any(map(low.__contains__, words))  # map: no Python frame per word


def last_words(window: str) -> list[str]:
    """The last two words of an ASCII window that ends with whitespace, lower-cased (there
    ``str.split`` and ``str.lower`` agree with a pattern's ``\\s`` and ``re.IGNORECASE``), so that a
    pattern anchored at the window's end, whose every match ends with certain words, is asked
    only where they are written; [] for any other window (the pattern decides)."""
    if not window[-1:].isspace() or not window.isascii():
        return []
    return window.lower().rsplit(None, 2)[-2:]
