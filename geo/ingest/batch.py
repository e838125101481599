"""Reading inputs and writing them to the store, one transaction per article.

Inputs (``fmt="text"``):

* plain-text files (``.txt``, ``.text``, ``.md``, or any file named explicitly) in UTF-8
  or another encoding detected by charset-normalizer, with optional metadata from a
  ``manifest.csv`` in the same folder (``file,title,source,url,published[,id]``) or from
  YAML-like front matter (``---`` / ``title: ...`` / ``published: 2014-01-05`` / ``---``);
* HTML pages (``.html``, ``.htm``): text without scripts and styles, title from ``<title>``;
* batches: ``.csv`` with a ``text`` column or ``.jsonl`` objects with a ``text`` key, plus
  optional ``id, title, source, url, published``; each row is one article.

Dataset exports (``fmt="acled"`` / ``fmt="ucdp"``): ACLED CSV and UCDP GED CSV files,
mapped onto the Event schema; each file is one article, streamed into one transaction.

Article ids are stable, so the same input always maps to the same article and an edited
input replaces its own events: the given ``id``; else for a file ``stable_id("file", path
relative to the folder given)`` (its bare name when the file itself is given); for a
batch row the ``url`` if any, else ``stable_id("row", relative path, line)``.

Bad input never stops a batch: each problem is collected as a :class:`Problem` naming
the input, and nothing already stored is touched by an input that fails.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import importlib
import io
import json
import logging
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from geo.dates import parse_date
from geo.errors import BadInputError, ExtractionError, GeoError, StoreError
from geo.models import (
    EVENT_TYPES,
    SYRIA_GOVERNORATES,
    Article,
    Event,
    ExtractionResult,
    stable_id,
)
from geo.store import EventStore, IngestOutcome

log = logging.getLogger(__name__)

Extractor = Callable[[Article], ExtractionResult]
InputFormat = Literal["text", "acled", "ucdp"]

INPUT_FORMATS: tuple[str, ...] = ("text", "acled", "ucdp")
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# Whole-country dataset exports run to hundreds of MB; they are streamed, not loaded.
DEFAULT_DATASET_MAX_BYTES = 2 * 1024**3
TEXT_SUFFIXES = (".txt", ".text", ".md")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
CSV_SUFFIXES = (".csv",)
JSONL_SUFFIXES = (".jsonl", ".ndjson")
MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = ("file", "title", "source", "url", "published")
MAX_ROW_MESSAGES = 20  # per input; the rest are counted, not listed
_TITLE_MAX_CHARS = 200

Severity = Literal["skipped", "failed", "warning"]


# ---------------------------------------------------------------------------------------
# Governorate names
# ---------------------------------------------------------------------------------------

# Spellings seen in ACLED, UCDP GED, GeoNames, OCHA and the press, by governorate.
ADMIN1_ALIASES: dict[str, tuple[str, ...]] = {
    "Aleppo": ("Aleppo", "Halab", "Alep", "Haleb"),
    "Idlib": ("Idlib", "Idleb", "Edlib"),
    "Hama": ("Hama", "Hamah", "Hamaa"),
    "Homs": ("Homs", "Hims", "Hums"),
    "Raqqa": ("Raqqa", "Ar Raqqah", "Ar-Raqqa", "Ar Raqqa", "Al Raqqa", "Al-Raqqah", "Raqqah", "Rakka"),
    "Deir ez-Zor": (
        "Deir ez-Zor", "Dayr Az Zawr", "Deir-ez-Zor", "Deir ez Zor", "Deir el-Zor", "Deir Ezzor",
        "Deir al-Zour", "Deir Al Zour", "Dayr al-Zawr", "Deir Ez-Zour", "Deirezzor",
    ),
    "Hasakah": (
        "Hasakah", "Al Hasakah", "Al-Hasakah", "Al Hasakeh", "Al-Hasakeh", "Hasakeh", "Hassakeh",
        "Al-Hasaka", "Hasaka", "Al Hasaka", "Hassake",
    ),
    "Latakia": ("Latakia", "Lattakia", "Al Ladhiqiyah", "Al-Ladhiqiyah", "Ladhiqiyah", "Lattaquie"),
    "Tartus": ("Tartus", "Tartous", "Tartos", "Tartouss"),
    "Damascus": ("Damascus", "Dimashq", "Damas"),
    "Rural Damascus": ("Rural Damascus", "Rif Dimashq", "Reef Damascus", "Rif Damascus", "Damascus Countryside"),
    "Daraa": ("Daraa", "Dar'a", "Deraa", "Dara'a", "Der'a", "Darʿa"),
    "Suwayda": ("Suwayda", "As Suwayda", "As-Suwayda", "As-Sweida", "Sweida", "Suwaida", "As Sweida", "Sweyda"),
    "Quneitra": ("Quneitra", "Al Qunaytirah", "Al-Qunaytirah", "Qunaytirah", "Quneitera", "Al Quneitra"),
}
_ADMIN1_SUFFIX = re.compile(r"\b(governorate|province|muhafazat|mohafazat)\b", re.I)


def _admin1_key(name: str) -> str:
    # Accents, case, spaces, hyphens and apostrophes differ between sources; letters do not.
    folded = unicodedata.normalize("NFKD", _ADMIN1_SUFFIX.sub("", name))
    return "".join(ch for ch in folded.lower() if "a" <= ch <= "z")


_ADMIN1_BY_KEY: dict[str, str] = {
    _admin1_key(alias): canonical for canonical, aliases in ADMIN1_ALIASES.items() for alias in aliases
}


def normalize_admin1(name: str | None) -> str | None:
    """One of the 14 names in SYRIA_GOVERNORATES for a source's spelling, None if unknown."""
    if not name:
        return None
    return _ADMIN1_BY_KEY.get(_admin1_key(name))


# ---------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Something wrong with one input (or one row of it).

    ``severity``: "skipped" - the input was not ingested (bad input); "failed" - it was read
    but could not be extracted or stored; "warning" - it was ingested but something was
    dropped or defaulted (a malformed row, an unparseable date).
    """

    path: str
    message: str
    severity: Severity = "skipped"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    @classmethod
    def from_error(cls, error: BadInputError, default_path: str, severity: Severity = "skipped") -> "Problem":
        return cls(error.path or default_path, error.args[0] if error.args else str(error), severity)


@dataclass
class IngestSummary:
    """Counts over a batch and every problem, each naming its input."""

    articles_read: int = 0
    added: int = 0
    unchanged: int = 0
    replaced: int = 0
    skipped: int = 0
    failed: int = 0
    events_added: int = 0
    rows_skipped: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every input was ingested (warnings allowed)."""
        return self.skipped == 0 and self.failed == 0

    def lines(self) -> list[str]:
        head = (
            f"{self.articles_read} articles read: {self.added} added, {self.unchanged} unchanged, "
            f"{self.replaced} replaced, {self.failed} failed; {self.events_added} events added; "
            f"{self.skipped} inputs skipped"
        )
        if self.rows_skipped:
            head += f"; {self.rows_skipped} rows skipped"
        return [head] + [f"  {p.severity}: {p}" for p in self.problems]

    def __str__(self) -> str:
        return "\n".join(self.lines())


# ---------------------------------------------------------------------------------------
# Reading bytes and text
# ---------------------------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control characters other than tab/newline/carriage return/form feed: many of them in
# "decoded" text mean the detector forced a code page onto binary data.
_COMMON_ENCODINGS = ("cp1252", "cp1256", "iso8859_6", "cp1251", "latin_1", "iso8859_15")
_CHAOS_MARGIN = 0.05
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def read_input_bytes(path: Path, max_bytes: int | None, *, display: str | None = None) -> bytes:
    """The file's bytes; BadInputError if missing, unreadable, empty or over ``max_bytes``."""
    name = display or str(path)
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise BadInputError(
                f"file is {_size_text(size)}, over the {_size_text(max_bytes)} limit "
                "(raise it with --max-bytes)",
                path=name,
            )
        data = path.read_bytes()
    except OSError as exc:
        raise BadInputError(f"cannot read file: {exc.strerror or exc}", path=name) from exc
    if not data.strip():
        raise BadInputError("empty file", path=name)
    return data


def decode_text(data: bytes, *, path: str) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16/32 with BOM, or a detected encoding."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise BadInputError(f"undecodable text: invalid {encoding} ({exc.reason})", path=path) from exc
    if b"\x00" in data:
        raise BadInputError("binary file (contains NUL bytes), not text", path=path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise BadInputError("undecodable text: not UTF-8 and no other encoding fits", path=path)
    # On short texts the detector often ranks a rare code page (ISO-8859-10, Mac Latin 2)
    # first by a hair; legacy news pages are overwhelmingly Windows-1252 or -1256.
    for encoding in _COMMON_ENCODINGS:
        match = next((m for m in matches if m.encoding == encoding), None)
        if match is not None and match.chaos <= best.chaos + _CHAOS_MARGIN:
            best = match
            break
    text = str(best)
    if len(_CONTROL.findall(text)) > max(3, len(text) // 100):
        raise BadInputError(
            f"undecodable text: decoding as {best.encoding} gives control characters (binary data?)",
            path=path,
        )
    log.info("%s: decoded as %s", path, best.encoding)
    return text


# ---------------------------------------------------------------------------------------
# Dates and metadata
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Metadata:
    article_id: str = ""
    title: str = ""
    source: str = ""
    url: str = ""
    published: str = ""

    def merged_over(self, base: "Metadata") -> "Metadata":
        """This metadata, with empty fields taken from ``base``."""
        return Metadata(*(mine or theirs for mine, theirs in zip(self._values(), base._values())))

    def _values(self) -> tuple[str, ...]:
        return (self.article_id, self.title, self.source, self.url, self.published)


def _metadata_from(mapping: dict[str, Any]) -> Metadata:
    lower = {str(k).strip().lower(): ("" if v is None else str(v).strip()) for k, v in mapping.items() if k is not None}
    return Metadata(
        article_id=lower.get("id") or lower.get("article_id", ""),
        title=lower.get("title", ""),
        source=lower.get("source", ""),
        url=lower.get("url", ""),
        published=lower.get("published") or lower.get("date", ""),
    )


_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)


def split_front_matter(text: str) -> tuple[Metadata, str]:
    """YAML-like ``key: value`` lines between ``---`` lines at the very top, and the rest."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return Metadata(), text
    values: dict[str, str] = {}
    for line in match[1].splitlines():
        key, sep, value = line.partition(":")
        if not sep or not key.strip() or line[:1].isspace():
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return _metadata_from(values), text[match.end():]


class ManifestCache:
    """``manifest.csv`` of each folder, read once: file name -> Metadata."""

    def __init__(self) -> None:
        self._by_dir: dict[Path, dict[str, Metadata]] = {}
        self.problems: list[Problem] = []

    def lookup(self, path: Path) -> Metadata:
        folder = path.parent.resolve()
        if folder not in self._by_dir:
            self._by_dir[folder] = self._load(folder)
        return self._by_dir[folder].get(path.name, Metadata())

    def _load(self, folder: Path) -> dict[str, Metadata]:
        manifest = folder / MANIFEST_NAME
        if not manifest.is_file():
            return {}
        try:
            text = decode_text(read_input_bytes(manifest, DEFAULT_MAX_BYTES), path=str(manifest))
        except BadInputError as exc:
            self.problems.append(Problem.from_error(exc, str(manifest), "warning"))
            return {}
        rows = csv.DictReader(io.StringIO(text))
        if not rows.fieldnames or "file" not in [f.strip().lower() for f in rows.fieldnames]:
            self.problems.append(
                Problem(str(manifest), f"manifest has no 'file' column (expected {', '.join(MANIFEST_COLUMNS)})", "warning")
            )
            return {}
        entries: dict[str, Metadata] = {}
        for row in rows:
            lower = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
            name = (lower.get("file") or "").strip()
            if not name:
                continue
            if "/" in name or "\\" in name:
                # A manifest describes the files of its own folder; a sub-folder has its own.
                self.problems.append(Problem(str(manifest), f"entry {name!r} is not in this folder; ignored", "warning"))
                continue
            entries[name] = _metadata_from(lower)
        return entries


# ---------------------------------------------------------------------------------------
# Discovering inputs
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceFile:
    """One input file; ``rel`` is its path relative to the folder given (posix), or its
    name when the file itself was given. ``rel`` is what article ids derive from."""

    path: Path
    rel: str

    @property
    def display(self) -> str:
        return str(self.path)


def _accepted_suffixes(fmt: str) -> tuple[str, ...]:
    if fmt == "text":
        return TEXT_SUFFIXES + HTML_SUFFIXES + CSV_SUFFIXES + JSONL_SUFFIXES
    return CSV_SUFFIXES


def discover(paths: Iterable[str | os.PathLike[str]], fmt: str = "text") -> tuple[list[SourceFile], list[Problem]]:
    """Files to read under ``paths`` (folders recursively, sorted) and problems found."""
    suffixes = _accepted_suffixes(fmt)
    found: list[SourceFile] = []
    problems: list[Problem] = []
    for raw in paths:
        root = Path(raw)
        if root.is_file():
            found.append(SourceFile(root, root.name))
            continue
        if not root.is_dir():
            problems.append(Problem(str(root), "no such file or folder"))
            continue
        for folder, dirnames, filenames in os.walk(root):
            # Hidden folders (.git, .ipynb_checkpoints) are never article collections.
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                path = Path(folder) / name
                if name.startswith(".") or name.lower() == MANIFEST_NAME:
                    continue
                if path.suffix.lower() not in suffixes:
                    problems.append(
                        Problem(str(path), f"unsupported file type {path.suffix or '(none)'!r} for --format {fmt} "
                                f"(reads {', '.join(suffixes)})")
                    )
                    continue
                found.append(SourceFile(path, path.relative_to(root).as_posix()))
    return found, problems


# ---------------------------------------------------------------------------------------
# Articles from files
# ---------------------------------------------------------------------------------------


@dataclass
class _ReadResult:
    articles: list[tuple[str, Article]] = field(default_factory=list)  # (display path, article)
    problems: list[Problem] = field(default_factory=list)
    rows_skipped: int = 0


def _published(meta: Metadata, where: str, problems: list[Problem]) -> dt.date | None:
    if not meta.published:
        return None
    try:
        return parse_date(meta.published)
    except ValueError:
        problems.append(
            Problem(where, f"published date {meta.published!r} does not parse; ingested undated", "warning")
        )
        return None


def _first_line_title(text: str, fallback: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= _TITLE_MAX_CHARS else fallback
    return fallback


def _clean_text(text: str) -> str:
    # One newline convention, so character offsets in events match what is stored.
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


_BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "section", "article", "header", "footer", "blockquote", "pre", "figcaption", "dd", "dt",
)


def html_to_text(html: str) -> tuple[Metadata, str]:
    """Visible text of a page (no script/style), paragraphs kept, and its metadata."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")

    def meta_content(**attrs: str) -> str:
        tag = soup.find("meta", attrs=attrs)
        return str(tag.get("content", "")).strip() if tag else ""

    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    canonical = soup.find("link", rel="canonical")
    meta = Metadata(
        title=title or meta_content(property="og:title"),
        source=meta_content(property="og:site_name"),
        url=(str(canonical.get("href", "")) if canonical else "") or meta_content(property="og:url"),
        published=meta_content(property="article:published_time") or meta_content(name="date"),
    )
    for tag in soup(["script", "style", "noscript", "template", "head", "svg", "iframe"]):
        tag.decompose()
    # Block elements end lines; inline ones (a, b, span) must not split a sentence.
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.append("\n\n" if tag.name != "br" else "\n")
    raw = soup.get_text()
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in raw.splitlines()]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return meta, text


def _file_article(src: SourceFile, text: str, meta: Metadata, problems: list[Problem], default_title: str) -> Article:
    if not text.strip():
        raise BadInputError("no text in the file (only metadata or markup)", path=src.display)
    return Article(
        article_id=meta.article_id or stable_id("file", src.rel),
        text=text,
        title=meta.title or default_title,
        source=meta.source,
        url=meta.url,
        published=_published(meta, src.display, problems),
    )


def _row_article(src: SourceFile, where: str, line: int, mapping: dict[str, Any], problems: list[Problem]) -> Article | None:
    lower = {str(k).strip().lower(): v for k, v in mapping.items() if k is not None}
    text = lower.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append(Problem(where, "empty or missing text; row skipped", "warning"))
        return None
    meta = _metadata_from({k: v for k, v in lower.items() if k != "text"})
    if meta.article_id:
        article_id = meta.article_id
    elif meta.url:
        article_id = stable_id("url", meta.url)
    else:
        article_id = stable_id("row", src.rel, line)
    text = _clean_text(text)
    return Article(
        article_id=article_id,
        text=text,
        title=meta.title or _first_line_title(text, f"{src.path.stem} line {line}"),
        source=meta.source,
        url=meta.url,
        published=_published(meta, where, problems),
    )


def _csv_field_limit(max_bytes: int | None) -> None:
    # The csv module refuses fields over 128 KiB by default; an article's text can be more.
    wanted = max(csv.field_size_limit(), max_bytes or DEFAULT_MAX_BYTES)
    csv.field_size_limit(min(wanted, sys.maxsize // 2, 2**31 - 1))


def _read_csv_batch(src: SourceFile, text: str, result: _ReadResult) -> None:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise BadInputError(f"CSV without a header row ({exc})", path=src.display) from exc
    names = [h.strip().lower() for h in header]
    if "text" not in names:
        hint = ""
        if {"event_id_cnty", "sub_event_type"} <= set(names):
            hint = " (looks like an ACLED export: use --format acled)"
        elif {"type_of_violence", "where_prec"} <= set(names):
            hint = " (looks like a UCDP GED export: use --format ucdp)"
        raise BadInputError(f"CSV batch has no 'text' column{hint}", path=src.display)
    for row in csv_rows(reader, names):
        if row.record is None:
            result.rows_skipped += 1
            result.problems.append(
                Problem(src.display, f"row {row.number} (line {row.line}): {row.problem}; skipped", "warning")
            )
            continue
        where = f"{src.display} row {row.number}"
        article = _row_article(src, where, row.line, row.record, result.problems)
        if article is None:
            result.rows_skipped += 1
        else:
            result.articles.append((where, article))


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One data row of a CSV file: its record, or why it is unusable."""

    number: int  # 1-based, blank rows not counted
    line: int  # the reader's line number after the row (rows may span lines)
    record: dict[str, str] | None
    problem: str = ""


def csv_rows(reader: Iterator[list[str]], names: Sequence[str]) -> Iterator[CsvRow]:
    """The rows after the header as records keyed by ``names``, tolerating bad rows: a malformed
    row, or one with the wrong number of fields, comes out with its problem instead of ending
    the file; blank rows are passed over. Batches and dataset imports share this loop."""
    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            number += 1
            yield CsvRow(number, reader.line_num, None, f"malformed CSV ({exc})")  # type: ignore[attr-defined]
            continue
        if not row or not any(cell.strip() for cell in row):
            continue
        number += 1
        if len(row) != len(names):
            yield CsvRow(number, reader.line_num, None,  # type: ignore[attr-defined]
                         f"expected {len(names)} fields, found {len(row)}")
            continue
        yield CsvRow(number, reader.line_num, dict(zip(names, row)))  # type: ignore[attr-defined]


def _read_jsonl_batch(src: SourceFile, text: str, result: _ReadResult) -> None:
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{src.display} line {line_no}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            result.rows_skipped += 1
            result.problems.append(Problem(src.display, f"line {line_no}: not JSON ({exc.msg}); skipped", "warning"))
            continue
        if not isinstance(obj, dict):
            result.rows_skipped += 1
            result.problems.append(Problem(src.display, f"line {line_no}: not a JSON object; skipped", "warning"))
            continue
        article = _row_article(src, where, line_no, obj, result.problems)
        if article is None:
            result.rows_skipped += 1
        else:
            result.articles.append((where, article))


def read_articles(src: SourceFile, *, max_bytes: int | None = DEFAULT_MAX_BYTES,
                  manifests: ManifestCache | None = None) -> _ReadResult:
    """Articles in one input file; BadInputError when the whole file is unusable."""
    data = read_input_bytes(src.path, max_bytes, display=src.display)
    text = _clean_text(decode_text(data, path=src.display))
    if not text.strip():
        raise BadInputError("empty file", path=src.display)
    suffix = src.path.suffix.lower()
    result = _ReadResult()
    if suffix in CSV_SUFFIXES:
        _csv_field_limit(max_bytes)
        _read_csv_batch(src, text, result)
        if not result.articles:
            raise BadInputError("no usable rows in the batch", path=src.display)
        return result
    if suffix in JSONL_SUFFIXES:
        _read_jsonl_batch(src, text, result)
        if not result.articles:
            raise BadInputError("no usable lines in the batch", path=src.display)
        return result
    manifest_meta = (manifests or ManifestCache()).lookup(src.path)
    if suffix in HTML_SUFFIXES:
        page_meta, body = html_to_text(text)
        meta = manifest_meta.merged_over(page_meta)
        article = _file_article(src, body, meta, result.problems, src.path.stem)
    else:
        front, body = split_front_matter(text)
        meta = front.merged_over(manifest_meta)
        article = _file_article(src, body, meta, result.problems, _first_line_title(body, src.path.stem))
    result.articles.append((src.display, article))
    return result


# ---------------------------------------------------------------------------------------
# Dataset exports (ACLED, UCDP GED)
# ---------------------------------------------------------------------------------------


class _RowSkip(Exception):
    """A dataset row that cannot become an event; the message says why."""


class _OutsideSyria(_RowSkip):
    pass


def _number(value: str, name: str, kind: type = float) -> Any:
    try:
        return kind(float(value)) if kind is int else kind(value)
    except (TypeError, ValueError):
        raise _RowSkip(f"{name} {value!r} is not a number") from None


def _optional_int(value: str | None, name: str) -> int | None:
    if value is None or not str(value).strip():
        return None
    return _number(value, name, int)


class _DateCache:
    """Datasets repeat a few thousand dates over a million rows: parse each string once."""

    def __init__(self) -> None:
        self._cache: dict[str, dt.date | None] = {}

    def __call__(self, value: str) -> dt.date:
        if value not in self._cache:
            try:
                self._cache[value] = parse_date(value)
            except ValueError:
                self._cache[value] = None
        parsed = self._cache[value]
        if parsed is None:
            raise _RowSkip(f"date {value!r} does not parse")
        return parsed


def _admin1(raw: str) -> tuple[str, str]:
    name = normalize_admin1(raw)
    if name is None:
        # Kept as given (so nothing is lost), but without an ISO code the dashboard's
        # governorate filter will not match it; the importer reports how many.
        return raw.strip(), ""
    return name, SYRIA_GOVERNORATES[name]


def _check_syria(country: str) -> None:
    if country and country.strip().lower() not in ("syria", "syrian arab republic"):
        raise _OutsideSyria(country.strip())


def acled_event(row: dict[str, str], article_id: str, dates: _DateCache) -> Event:
    """An ACLED export row (lower-case column names) as an Event; _RowSkip if unusable."""
    _check_syria(row.get("country", ""))
    event_id = (row.get("event_id_cnty") or row.get("event_id") or "").strip()
    if not event_id:
        raise _RowSkip("no event_id_cnty")
    event_date = dates(row.get("event_date", ""))
    time_precision = _optional_int(row.get("time_precision"), "time_precision") or 1
    event_type = row.get("event_type", "").strip()
    sub_event_type = row.get("sub_event_type", "").strip()
    if event_type not in EVENT_TYPES:
        raise _RowSkip(f"unknown event_type {event_type!r}")
    if sub_event_type not in EVENT_TYPES[event_type]:
        raise _RowSkip(f"sub_event_type {sub_event_type!r} is not a sub-type of {event_type!r}")
    admin1, admin1_code = _admin1(row.get("admin1", ""))
    return Event(
        event_id=event_id,
        event_date=event_date,
        time_precision=time_precision,
        event_type=event_type,
        sub_event_type=sub_event_type,
        actor1=row.get("actor1", "").strip(),
        actor2=row.get("actor2", "").strip(),
        country="Syria",
        admin1=admin1,
        admin1_code=admin1_code,
        location=row.get("location", "").strip(),
        latitude=_number(row.get("latitude"), "latitude"),
        longitude=_number(row.get("longitude"), "longitude"),
        geo_precision=_optional_int(row.get("geo_precision"), "geo_precision") or 3,
        fatalities=_optional_int(row.get("fatalities"), "fatalities"),
        notes=row.get("notes", "").strip(),
        article_id=article_id,
        source=row.get("source", "").strip(),
        confidence=1.0,  # a curated dataset: coded by people, not guessed
    )


_UCDP_TYPES = {
    1: ("Battles", "Armed clash"),  # state-based conflict
    2: ("Battles", "Armed clash"),  # non-state conflict
    3: ("Violence against civilians", "Attack"),  # one-sided violence
}
_UCDP_PLACE_SUFFIX = re.compile(r"\s+(town|village|city|district|governorate|province)$", re.I)


def _ucdp_time_precision(row: dict[str, str], start: dt.date, end: dt.date | None) -> int:
    date_prec = row.get("date_prec", "").strip()
    if date_prec:
        value = _number(date_prec, "date_prec", int)
        return 1 if value <= 1 else 2 if value <= 3 else 3
    if end is None or end <= start:
        return 1
    return 2 if (end - start).days <= 7 else 3


def ucdp_event(row: dict[str, str], article_id: str, dates: _DateCache) -> Event:
    """A UCDP GED row (lower-case column names) as an Event; _RowSkip if unusable."""
    _check_syria(row.get("country", ""))
    ged_id = row.get("id", "").strip()
    if not ged_id:
        raise _RowSkip("no id")
    start = dates(row.get("date_start", ""))
    end_raw = row.get("date_end", "").strip()
    end = dates(end_raw) if end_raw else None
    violence = _number(row.get("type_of_violence"), "type_of_violence", int)
    if violence not in _UCDP_TYPES:
        raise _RowSkip(f"type_of_violence {violence} is not 1, 2 or 3")
    event_type, sub_event_type = _UCDP_TYPES[violence]
    where_prec = _optional_int(row.get("where_prec"), "where_prec") or 3
    admin1, admin1_code = _admin1(row.get("adm_1", ""))
    location = _UCDP_PLACE_SUFFIX.sub("", row.get("where_coordinates", "").strip())
    return Event(
        event_id=f"UCDP-{ged_id}",
        event_date=start,
        time_precision=_ucdp_time_precision(row, start, end),
        event_type=event_type,
        sub_event_type=sub_event_type,
        actor1=row.get("side_a", "").strip(),
        actor2=row.get("side_b", "").strip(),
        country="Syria",
        admin1=admin1,
        admin1_code=admin1_code,
        location=location,
        latitude=_number(row.get("latitude"), "latitude"),
        longitude=_number(row.get("longitude"), "longitude"),
        geo_precision=min(max(where_prec, 1), 3),
        fatalities=_optional_int(row.get("best"), "best"),
        notes=row.get("source_headline", "").strip() or row.get("source_article", "").strip(),
        article_id=article_id,
        source=row.get("source_office", "").strip() or "UCDP GED",
        confidence=1.0,
    )


@dataclass(frozen=True)
class DatasetFormat:
    name: str
    label: str
    required: tuple[str, ...]
    to_event: Callable[[dict[str, str], str, _DateCache], Event]
    id_column: str


DATASET_FORMATS: dict[str, DatasetFormat] = {
    "acled": DatasetFormat(
        "acled", "ACLED", ("event_date", "event_type", "sub_event_type", "latitude", "longitude"),
        acled_event, "event_id_cnty",
    ),
    "ucdp": DatasetFormat(
        "ucdp", "UCDP GED", ("id", "date_start", "type_of_violence", "latitude", "longitude"),
        ucdp_event, "id",
    ),
}


def _file_fingerprint(src: SourceFile, max_bytes: int | None) -> tuple[str, int, str]:
    """(sha256, size, encoding) of a dataset file, read in chunks; BadInputError if unusable."""
    try:
        size = src.path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise BadInputError(
                f"file is {_size_text(size)}, over the {_size_text(max_bytes)} limit (raise it with --max-bytes)",
                path=src.display,
            )
        digest = hashlib.sha256()
        utf8 = codecs.getincrementaldecoder("utf-8")()
        is_utf8 = True
        has_text = False
        sample = b""
        with src.path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
                if not sample:
                    sample = chunk
                if b"\x00" in chunk:
                    raise BadInputError("binary file (contains NUL bytes), not CSV", path=src.display)
                has_text = has_text or bool(chunk.strip())
                if is_utf8:
                    try:
                        utf8.decode(chunk)
                    except UnicodeDecodeError:
                        is_utf8 = False
    except OSError as exc:
        raise BadInputError(f"cannot read file: {exc.strerror or exc}", path=src.display) from exc
    if not has_text:
        raise BadInputError("empty file", path=src.display)
    encoding = "utf-8-sig"
    if not is_utf8:
        from charset_normalizer import from_bytes

        best = from_bytes(sample).best()
        if best is None:
            raise BadInputError("undecodable text: not UTF-8 and no other encoding fits", path=src.display)
        encoding = best.encoding
    return digest.hexdigest(), size, encoding


@dataclass
class _DatasetRows:
    """Streams a dataset file's rows as Events, collecting per-row problems."""

    src: SourceFile
    fmt: DatasetFormat
    article_id: str
    encoding: str
    problems: list[Problem] = field(default_factory=list)
    rows_skipped: int = 0
    outside: int = 0
    unknown_admin1: dict[str, int] = field(default_factory=dict)
    events: int = 0
    progress: Any = None

    def _skip(self, row_no: int, line: int, reason: str) -> None:
        self.rows_skipped += 1
        if self.rows_skipped <= MAX_ROW_MESSAGES:
            self.problems.append(Problem(self.src.display, f"row {row_no} (line {line}): {reason}; skipped", "warning"))

    def __iter__(self) -> Iterator[Event]:
        dates = _DateCache()
        seen: dict[str, int] = {}
        with self.src.path.open("r", encoding=self.encoding, newline="") as fh:
            reader = csv.reader(fh)
            try:
                header = next(reader)
            except StopIteration:
                raise BadInputError("empty file", path=self.src.display) from None
            names = [h.strip().lower() for h in header]
            if self.fmt.name == "acled" and "event_id_cnty" not in names and "event_id" not in names:
                raise BadInputError("no event_id_cnty column: not an ACLED export", path=self.src.display)
            missing = [c for c in self.fmt.required if c not in names]
            if missing:
                raise BadInputError(
                    f"missing {self.fmt.label} column(s) {', '.join(missing)}", path=self.src.display
                )
            rows = csv_rows(reader, names)
            while True:
                try:
                    row = next(rows)
                except StopIteration:
                    break
                except UnicodeDecodeError as exc:
                    raise BadInputError(
                        f"undecodable text after line {reader.line_num} ({exc.reason})", path=self.src.display
                    ) from exc
                row_no = row.number
                if self.progress is not None and row_no % 10_000 == 0:
                    self.progress.set_postfix_str(f"{row_no:,} rows", refresh=False)
                if row.record is None:
                    self._skip(row_no, row.line, row.problem)
                    continue
                record = row.record
                try:
                    event = self.fmt.to_event(record, self.article_id, dates)
                except _OutsideSyria:
                    self.outside += 1
                    continue
                except (_RowSkip, GeoError) as exc:
                    self._skip(row_no, row.line, str(exc))
                    continue
                if event.event_id in seen:
                    self._skip(row_no, row.line, f"duplicate event id {event.event_id!r} (first in row {seen[event.event_id]})")
                    continue
                seen[event.event_id] = row_no
                if not event.admin1_code:
                    self.unknown_admin1[event.admin1] = self.unknown_admin1.get(event.admin1, 0) + 1
                self.events += 1
                yield event
        self._finish()

    def _finish(self) -> None:
        if self.rows_skipped > MAX_ROW_MESSAGES:
            self.problems.append(
                Problem(self.src.display, f"... and {self.rows_skipped - MAX_ROW_MESSAGES} more rows skipped", "warning")
            )
        if self.outside:
            self.problems.append(Problem(self.src.display, f"{self.outside} rows outside Syria skipped", "warning"))
        if self.unknown_admin1:
            names = ", ".join(f"{k or '(blank)'} ({v})" for k, v in sorted(self.unknown_admin1.items()))
            self.problems.append(
                Problem(self.src.display, f"governorate not recognised, kept as given: {names}", "warning")
            )
        if self.events == 0:
            # Raised inside the store transaction: an export with nothing usable must not
            # replace events already stored from an earlier version of the file.
            raise BadInputError(f"no usable {self.fmt.label} rows", path=self.src.display)


def dataset_article(src: SourceFile, fmt: DatasetFormat, digest: str, size: int) -> Article:
    """The Article standing for one dataset file: its content hash follows the file's bytes."""
    return Article(
        article_id=stable_id(fmt.name, src.rel),
        text=f"{fmt.label} export {src.rel}: {size} bytes, sha256 {digest}",
        title=src.path.name,
        source=fmt.label,
    )


# ---------------------------------------------------------------------------------------
# Batch
# ---------------------------------------------------------------------------------------


def _progress_bar(total: int, enabled: bool, unit: str) -> Any:
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit=unit,
        file=sys.stderr,
        disable=not enabled or not sys.stderr.isatty(),
        dynamic_ncols=True,
        leave=False,
    )


def _count_outcome(summary: IngestSummary, outcome: IngestOutcome) -> None:
    if outcome == IngestOutcome.ADDED:
        summary.added += 1
    elif outcome == IngestOutcome.REPLACED:
        summary.replaced += 1
    else:
        summary.unchanged += 1


def _store_article(store: EventStore, where: str, article: Article, extractor: Extractor,
                   summary: IngestSummary) -> None:
    summary.articles_read += 1
    try:
        # Skip the extractor for an article already stored with the same content: the
        # store would discard its output anyway, and extraction is the slow part.
        if store.article_content_hash(article.article_id) == article.content_hash:
            summary.unchanged += 1
            return
        result = extractor(article)
        events = tuple(result.events)
        outcome = store.add_article(article, events)
    except BadInputError as exc:
        summary.failed += 1
        summary.problems.append(Problem.from_error(exc, where, "failed"))
        return
    except GeoError as exc:
        summary.failed += 1
        summary.problems.append(Problem(where, f"{type(exc).__name__}: {exc}", "failed"))
        return
    except Exception as exc:  # noqa: BLE001 - one broken article must not stop the batch
        log.exception("%s: extraction or storage failed", where)
        summary.failed += 1
        summary.problems.append(Problem(where, f"unexpected {type(exc).__name__}: {exc}", "failed"))
        return
    _count_outcome(summary, outcome)
    if outcome != IngestOutcome.UNCHANGED:
        summary.events_added += len(events)


def _ingest_text_file(src: SourceFile, store: EventStore, extractor: Extractor, *, max_bytes: int | None,
                      manifests: ManifestCache, summary: IngestSummary) -> None:
    try:
        read = read_articles(src, max_bytes=max_bytes, manifests=manifests)
    except BadInputError as exc:
        summary.skipped += 1
        summary.problems.append(Problem.from_error(exc, src.display))
        return
    summary.problems.extend(read.problems)
    summary.rows_skipped += read.rows_skipped
    for where, article in read.articles:
        _store_article(store, where, article, extractor, summary)


def _ingest_dataset_file(src: SourceFile, store: EventStore, fmt: DatasetFormat, *, max_bytes: int | None,
                         summary: IngestSummary, bar: Any) -> None:
    try:
        digest, size, encoding = _file_fingerprint(src, max_bytes)
    except BadInputError as exc:
        summary.skipped += 1
        summary.problems.append(Problem.from_error(exc, src.display))
        return
    article = dataset_article(src, fmt, digest, size)
    rows = _DatasetRows(src, fmt, article.article_id, encoding, progress=bar)
    summary.articles_read += 1
    try:
        outcome = store.add_events(rows, article=article)
    except BadInputError as exc:
        summary.skipped += 1
        summary.rows_skipped += rows.rows_skipped
        summary.problems.extend(rows.problems)
        summary.problems.append(Problem.from_error(exc, src.display))
        return
    except (StoreError, GeoError, OSError) as exc:
        summary.failed += 1
        summary.problems.append(Problem(src.display, f"{type(exc).__name__}: {exc}", "failed"))
        return
    summary.rows_skipped += rows.rows_skipped
    summary.problems.extend(rows.problems)
    _count_outcome(summary, outcome)
    if outcome != IngestOutcome.UNCHANGED:
        summary.events_added += rows.events


def ingest_paths(
    paths: Iterable[str | os.PathLike[str]],
    store: EventStore,
    extractor: Extractor | None = None,
    *,
    fmt: str = "text",
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    progress: bool = True,
) -> IngestSummary:
    """Ingest files and folders into ``store``; one transaction per article (per file for
    datasets). ``extractor`` turns an Article into events (required for ``fmt="text"``).
    Never raises for bad input: see the returned summary's ``problems``."""
    if fmt not in INPUT_FORMATS:
        raise ValueError(f"unknown input format {fmt!r} (one of {', '.join(INPUT_FORMATS)})")
    if fmt == "text" and extractor is None:
        raise ValueError("an extractor is required for text input")
    sources, problems = discover(paths, fmt)
    summary = IngestSummary(skipped=len(problems), problems=list(problems))
    manifests = ManifestCache()
    bar = _progress_bar(len(sources), progress, "file")
    try:
        for src in sources:
            bar.set_description_str(src.rel[-40:], refresh=False)
            if fmt == "text":
                assert extractor is not None
                _ingest_text_file(src, store, extractor, max_bytes=max_bytes, manifests=manifests, summary=summary)
            else:
                _ingest_dataset_file(src, store, DATASET_FORMATS[fmt], max_bytes=max_bytes, summary=summary, bar=bar)
            bar.update(1)
    finally:
        bar.close()
    return finish_batch(summary, store, manifests, "ingest")


def finish_batch(summary: IngestSummary, store: EventStore, manifests: ManifestCache, label: str) -> IngestSummary:
    """End of a batch (plain or parallel): manifest problems into the summary, fresh planner
    statistics when events were added, one log line."""
    summary.problems.extend(manifests.problems)
    if summary.events_added:
        try:
            store.optimize()
        except GeoError as exc:  # statistics are an optimisation; the data is committed
            log.warning("could not refresh store statistics: %s", exc)
    log.info("%s: %s", label, summary.lines()[0])
    return summary


DEFAULT_EXTRACTOR = "geo.extract.pipeline:Geoparser"


def import_extractor_target(spec: str | None) -> Any:
    """What ``MODULE:NAME`` names (a function, or a class whose instances have ``extract``),
    imported but not built; default the pipeline's ``geo.extract.pipeline:Geoparser``. Cheap: building
    a Geoparser loads the gazetteer, which a Dask client or a dataset import does not need."""
    spec = spec or DEFAULT_EXTRACTOR
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ExtractionError(f"extractor {spec!r}: expected MODULE:NAME")
    try:
        target = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ExtractionError(f"the extractor {spec} is not available: {exc}") from exc
    if not callable(target):
        raise ExtractionError(f"the extractor {spec} is not callable")
    return target


def build_extractor(spec: str | None) -> Extractor:
    """``MODULE:NAME`` -> the extraction function (a class is instantiated once: its ``extract``)."""
    target = import_extractor_target(spec)
    return target().extract if isinstance(target, type) else target


def ingest_articles(articles: Sequence[Article], store: EventStore, extractor: Extractor) -> IngestSummary:
    """Ingest Article objects built elsewhere (e.g. the dashboard's paste box)."""
    summary = IngestSummary()
    for article in articles:
        _store_article(store, article.article_id, article, extractor, summary)
    return summary
