"""What every reader of the ingest shares: problems (what went wrong with which input), names
made safe to print, and the CSV row loop that accounts for every physical line."""

from __future__ import annotations

import csv
import os
import re
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from geo.errors import BadInputError

MAX_ROW_MESSAGES = 20  # per input; the rest are counted, not listed
DEFAULT_MAX_BYTES = 5 * 1024 * 1024

Severity = Literal["skipped", "failed", "warning"]


# ---------------------------------------------------------------------------------------
# Names shown to people
# ---------------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` safe for a terminal or a log line: control characters (newlines, ANSI escapes),
    bidi overrides and lone surrogates (undecodable bytes of a file name) as ``\\x..`` escapes,
    so a file name cannot forge or recolour summary lines."""
    return _UNSAFE.sub(_escape, text)


def path_text(path: str | os.PathLike[str]) -> str:
    """A path as valid Unicode: bytes that are not UTF-8 (a Latin-1 ``caf\\xe9.txt``) become ``\\xe9``."""
    try:
        raw = os.fsencode(path)
    except UnicodeEncodeError:  # a str with lone surrogates that are not escaped bytes (an upload's name)
        return clean_str(os.fspath(path))
    return raw.decode("utf-8", "backslashreplace")


def clean_str(value: str) -> str:
    """A string storable anywhere: lone surrogates (JSON ``"\\ud800"``) become U+FFFD."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


# ---------------------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Something wrong with one input (or one row of it).

    ``severity``: "skipped" - not ingested, on purpose (unsupported type, empty, a duplicate);
    "failed" - could not be read, extracted or stored (its data is not in the store);
    "warning" - ingested, but something was dropped or defaulted (an unparseable date).
    """

    path: str
    message: str
    severity: Severity = "skipped"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    @classmethod
    def from_error(cls, error: BadInputError, default_path: str, severity: Severity = "skipped") -> Problem:
        return cls(error.path or default_path, error.args[0] if error.args else str(error), severity)


# ---------------------------------------------------------------------------------------
# CSV rows: every physical line accounted for
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One data row of a CSV file: its record, or why it is unusable (then it is lost data)."""

    number: int  # 1-based, blank rows not counted
    first_line: int
    line: int  # its last physical line (rows with quoted newlines span lines)
    record: dict[str, str] | None
    problem: str = ""

    @property
    def label(self) -> str:
        lines = f"line {self.line}" if self.first_line == self.line else f"lines {self.first_line}-{self.line}"
        return f"row {self.number} ({lines})"


class LineSource:
    """The physical lines under a ``csv.reader``: counts them and keeps the current row's lines,
    so that a row swallowed by an unclosed quote can be re-read line by line."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self._back: deque[str] = deque()
        self.line = 0
        self.first = 1
        self.taken: list[str] = []

    def __iter__(self) -> LineSource:
        return self

    def __next__(self) -> str:
        line = self._back.popleft() if self._back else next(self._lines)
        self.line += 1
        self.taken.append(line)
        return line

    def start_row(self) -> None:
        self.taken = []
        self.first = self.line + 1

    def reread_after_first(self) -> None:
        """Give back every line of the current row but its first."""
        rest = self.taken[1:]
        self._back.extendleft(reversed(rest))
        self.line -= len(rest)


_REREAD_ERRORS = ("unexpected end of data", "field larger than field limit")
MAX_REREADS = 1000  # rows re-read after an unclosed quote, per file (bounds the work on hostile files)


def csv_header(lines: LineSource, reader: Iterator[list[str]], where: str) -> list[str]:
    """Lower-cased column names; BadInputError for no header or a column named twice."""
    try:
        header = next(reader)
    except StopIteration:
        raise BadInputError("empty file", path=where) from None
    except csv.Error as exc:
        raise BadInputError(f"CSV header row unreadable ({exc})", path=where) from exc
    names = [h.strip().lower() for h in header]
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        raise BadInputError(f"column(s) {', '.join(map(repr, repeated))} named more than once in the header; "
                            "rename one (which one holds the data is ambiguous)", path=where)
    return names


def csv_rows(lines: LineSource, reader: Iterator[list[str]], names: Sequence[str]) -> Iterator[CsvRow]:
    """The rows after the header as records keyed by ``names``. A malformed row, or one with the
    wrong number of fields, comes out with its problem and its line numbers instead of ending
    the file; a quote left open swallows the rest of the file, so after it the lines are read
    again from the line after the row's first. Blank rows are passed over. Batches, manifests
    and dataset imports share this loop."""
    number = 0
    rereads = 0
    while True:
        lines.start_row()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            number += 1
            if any(e in str(exc) for e in _REREAD_ERRORS) and rereads < MAX_REREADS and len(lines.taken) > 1:
                rereads += 1
                yield CsvRow(number, lines.first, lines.first, None,
                             "unclosed quote (the lines after it were read again)")
                lines.reread_after_first()
            else:
                yield CsvRow(number, lines.first, lines.line, None, f"malformed CSV ({exc})")
            continue
        if not row or not any(cell.strip() for cell in row):
            continue
        number += 1
        if len(row) != len(names):
            yield CsvRow(number, lines.first, lines.line, None, f"expected {len(names)} fields, found {len(row)}")
            continue
        yield CsvRow(number, lines.first, lines.line, dict(zip(names, row)))


def csv_field_limit(max_bytes: int | None) -> None:
    # The csv module refuses fields over 128 KiB by default; an article's text can be more.
    wanted = max(csv.field_size_limit(), max_bytes or DEFAULT_MAX_BYTES)
    csv.field_size_limit(min(wanted, sys.maxsize // 2, 2**31 - 1))


def size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def check_size(size: int, max_bytes: int | None, display: str, *, hint: str = " (raise it with --max-bytes)") -> None:
    """BadInputError when ``size`` bytes are over the ``max_bytes`` limit (None: no limit)."""
    if max_bytes is not None and size > max_bytes:
        raise BadInputError(f"file is {size_text(size)}, over the {size_text(max_bytes)} limit{hint}", path=display)
