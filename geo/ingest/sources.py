"""Reading sources into Articles: bytes -> text (encodings), HTML, front matter, ``manifest.csv``,
and the readers of text files and CSV/JSONL batches. The ``geo ingest`` command and the
dashboard's upload both read through here (:func:`read_file`, :func:`read_upload`), so a file
gives the same articles, dates and problems in both.

Inputs:

* plain-text files (``.txt``, ``.text``, ``.md``, or any file named explicitly) in UTF-8 or another
  encoding (BOMs, UTF-16 without a BOM, else charset-normalizer), with optional metadata from a
  ``manifest.csv`` in the same folder (``file,title,source,url,published[,id]``) or from front
  matter (``---`` / ``title: ...`` / ``published: 2014-01-05`` / ``---``);
* HTML pages (``.html``, ``.htm``): text without scripts and styles, title from ``<title>``;
* batches: ``.csv`` with a ``text`` column or ``.jsonl`` objects with a ``text`` key, plus optional
  ``id, title, source, url, published``; each row is one article.

Article ids (see :func:`article_id`) never depend on how a path was typed: the ``id`` given (manifest,
front matter, batch column), else the ``url``, else for a file its real absolute path (``a.txt``,
``./a.txt``, the folder, its parent: one article; ``report.txt`` in two folders: two), for a batch row
its text (rows may be reordered or removed), for an upload its name and text. An article without an id
or url whose path id is not stored takes the id of a stored article with its text and date, if any
(:func:`geo.ingest.batch.same_stored_article`): a moved or copied folder is not stored twice.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.dates import parse_date
from geo.errors import BadInputError
from geo.ingest.rows import (
    DEFAULT_MAX_BYTES,
    MAX_ROW_MESSAGES,
    CsvRow,
    LineSource,
    Problem,
    Severity,
    check_size,
    clean_str,
    csv_field_limit,
    csv_header,
    csv_rows,
    path_text,
    printable,
)
from geo.models import Article, stable_id

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".text", ".md")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
CSV_SUFFIXES = (".csv",)
JSONL_SUFFIXES = (".jsonl", ".ndjson")
MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = ("file", "title", "source", "url", "published")
_TITLE_MAX_CHARS = 200


# ---------------------------------------------------------------------------------------
# Bytes -> text
# ---------------------------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_COMMON_ENCODINGS = ("cp1252", "cp1256", "iso8859_6", "cp1251", "latin_1", "iso8859_15")
_CHAOS_MARGIN = 0.05
# Control characters other than tab/newline/carriage return/form feed: many of them in
# "decoded" text mean the detector forced a code page onto binary data.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def read_input_bytes(path: Path, max_bytes: int | None, *, display: str | None = None) -> bytes:
    """The file's bytes; BadInputError if missing, unreadable, empty or over ``max_bytes``."""
    name = display or path_text(path)
    try:
        check_size(path.stat().st_size, max_bytes, name)
        data = path.read_bytes()
    except OSError as exc:
        raise BadInputError(f"cannot read file: {exc.strerror or exc}", path=name) from exc
    if not data.strip():
        raise BadInputError("empty file", path=name)
    return data


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM (Windows tools write it): NUL in every other byte of ASCII."""
    if len(data) < 4 or len(data) % 2:
        return None
    half = len(data) // 2
    for encoding, zeros in (("utf-16-le", data[1::2]), ("utf-16-be", data[0::2])):
        if zeros.count(0) >= 0.3 * half:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return None
            return text if len(_CONTROL.findall(text)) <= max(3, len(text) // 100) else None
    return None


def decode_text(data: bytes, *, path: str) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16/32 with BOM, UTF-16 without one, or a detected encoding."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise BadInputError(f"undecodable text: invalid {encoding} ({exc.reason})", path=path) from exc
    if b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is None:
            raise BadInputError("binary file (contains NUL bytes), not text", path=path)
        return text
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
            f"undecodable text: decoding as {best.encoding} gives control characters (binary data?)", path=path
        )
    log.info("%s: decoded as %s", printable(path), best.encoding)
    return text


def _clean_text(text: str) -> str:
    # One newline convention, so character offsets in events match what is stored.
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


# ---------------------------------------------------------------------------------------
# Metadata: front matter, HTML, manifests
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metadata:
    article_id: str = ""
    title: str = ""
    source: str = ""
    url: str = ""
    published: str = ""

    def merged_over(self, base: Metadata) -> Metadata:
        """This metadata, with empty fields taken from ``base``."""
        return Metadata(*(mine or theirs for mine, theirs in zip(self._values(), base._values())))

    def _values(self) -> tuple[str, ...]:
        return (self.article_id, self.title, self.source, self.url, self.published)


def _metadata_from(mapping: dict[str, Any]) -> Metadata:
    lower = {str(k).strip().lower(): ("" if v is None else clean_str(str(v)).strip())
             for k, v in mapping.items() if k is not None}
    return Metadata(
        article_id=lower.get("id") or lower.get("article_id", ""),
        title=lower.get("title", ""),
        source=lower.get("source", ""),
        url=lower.get("url", ""),
        published=lower.get("published") or lower.get("date", ""),
    )


_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_MATTER_OPEN = re.compile(r"\A\ufeff?---[ \t]*\n[ \t]*[A-Za-z_][\w-]*[ \t]*:")


def front_matter(text: str) -> tuple[Metadata, str, str]:
    """(metadata, body, problem): ``key: value`` lines between ``---`` lines at the very top.
    ``problem`` is "" or says that front matter was opened but never closed (then the whole
    text is the body, and nothing of it is taken as metadata)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        if _FRONT_MATTER_OPEN.match(text):
            return Metadata(), text, "front matter opened by '---' on line 1 has no closing '---'; read as article text"
        return Metadata(), text, ""
    values: dict[str, str] = {}
    for line in match[1].splitlines():
        key, sep, value = line.partition(":")
        if not sep or not key.strip() or line[:1].isspace():
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return _metadata_from(values), text[match.end():], ""


def split_front_matter(text: str) -> tuple[Metadata, str]:
    """Front matter's metadata and the rest (see :func:`front_matter`, which also reports problems)."""
    meta, body, _ = front_matter(text)
    return meta, body


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
        where = path_text(manifest)
        try:
            if not manifest.is_file():
                return {}
            text = decode_text(read_input_bytes(manifest, DEFAULT_MAX_BYTES), path=where)
        except (BadInputError, OSError) as exc:
            self.problems.append(Problem(where, f"manifest not read: {exc}", "warning"))
            return {}
        try:
            header, records = _csv_records(text, where)
        except BadInputError as exc:
            self.problems.append(Problem.from_error(exc, where, "warning"))
            return {}
        if "file" not in header:
            self.problems.append(Problem(
                where, f"manifest has no 'file' column (expected {', '.join(MANIFEST_COLUMNS)})", "warning"))
            return {}
        entries: dict[str, Metadata] = {}
        for row in records:
            if row.record is None:
                self.problems.append(Problem(where, f"{row.label}: {row.problem}; ignored", "warning"))
                continue
            name = (row.record.get("file") or "").strip()
            if not name:
                continue
            if "/" in name or "\\" in name:
                # A manifest describes the files of its own folder; a sub-folder has its own.
                self.problems.append(Problem(where, f"entry {name!r} is not in this folder; ignored", "warning"))
                continue
            entries[name] = _metadata_from(row.record)
        return entries


def _csv_records(text: str, where: str) -> tuple[list[str], Iterator[CsvRow]]:
    lines = LineSource(io.StringIO(text, newline=""))
    reader = csv.reader(lines, strict=True)
    names = csv_header(lines, reader, where)
    return names, csv_rows(lines, reader, names)



# ---------------------------------------------------------------------------------------
# Discovering inputs
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceFile:
    """One input file; ``rel`` is its path relative to the folder given (posix), or its name
    when the file itself was given: what progress bars show. Ids come from :attr:`key`."""

    path: Path
    rel: str

    @property
    def display(self) -> str:
        return path_text(self.path)

    @property
    def key(self) -> str:
        """The file's real absolute path: the same however the path was typed."""
        return path_text(os.path.realpath(self.path))


def file_article_id(path: str | os.PathLike[str]) -> str:
    """The id of the article of a text or HTML file without an id or url of its own."""
    return stable_id("file", SourceFile(Path(path), "").key)


def row_article_id(text: str) -> str:
    """The id of a batch row without an id or url: its text, so reordered rows keep their ids."""
    return stable_id("row", stable_id(text, length=32))


def accepted_suffixes(fmt: str) -> tuple[str, ...]:
    if fmt == "text":
        return TEXT_SUFFIXES + HTML_SUFFIXES + CSV_SUFFIXES + JSONL_SUFFIXES
    return CSV_SUFFIXES


def _walk(root: Path, suffixes: tuple[str, ...], fmt: str, found: list[SourceFile], problems: list[Problem]) -> None:
    def unreadable(exc: OSError) -> None:
        where = path_text(exc.filename) if exc.filename else path_text(root)
        problems.append(Problem(where, f"folder not read: {exc.strerror or exc}; its files are not ingested", "failed"))

    for folder, dirnames, filenames in os.walk(root, onerror=unreadable):
        # Hidden folders (.git, .ipynb_checkpoints) are never article collections.
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(folder) / name
            if name.startswith(".") or name.lower() == MANIFEST_NAME:
                continue
            if path.suffix.lower() not in suffixes:
                problems.append(Problem(path_text(path), f"unsupported file type {path_text(path.suffix) or '(none)'!r} "
                                        f"for --format {fmt} (reads {', '.join(suffixes)})"))
                continue
            found.append(SourceFile(path, path_text(path.relative_to(root).as_posix())))


def discover(paths: Iterable[str | os.PathLike[str]], fmt: str = "text") -> tuple[list[SourceFile], list[Problem]]:
    """Files to read under ``paths`` (folders recursively, sorted) and problems found: a missing or
    unreadable path, an unreadable sub-folder, an unsupported file. The same file reached twice
    (a folder and its parent given) is read once."""
    suffixes = accepted_suffixes(fmt)
    found: list[SourceFile] = []
    problems: list[Problem] = []
    for raw in paths:
        root = Path(raw)
        try:
            if root.is_file():
                found.append(SourceFile(root, path_text(root.name)))
                continue
            if not root.is_dir():
                problems.append(Problem(path_text(root), "no such file or folder"))
                continue
        except OSError as exc:  # inside an unreadable folder, a name over NAME_MAX/PATH_MAX
            problems.append(Problem(path_text(root), f"cannot read: {exc.strerror or exc}", "failed"))
            continue
        _walk(root, suffixes, fmt, found, problems)
    unique: dict[str, SourceFile] = {}
    for src in found:
        unique.setdefault(src.key, src)
    return list(unique.values()), problems


# ---------------------------------------------------------------------------------------
# Articles from files
# ---------------------------------------------------------------------------------------


@dataclass
class ReadResult:
    """What one input gave: (where, article) pairs, problems, and the rows that did not become
    articles (each also has a problem unless the count is over MAX_ROW_MESSAGES)."""

    articles: list[tuple[str, Article]] = field(default_factory=list)
    named: set[str] = field(default_factory=set)  # ids the source gave (an id or url), not derived
    problems: list[Problem] = field(default_factory=list)
    rows_skipped: int = 0
    rows_failed: int = 0

    def row_problem(self, where: str, message: str, severity: Severity) -> None:
        if severity == "failed":
            self.rows_failed += 1
        else:
            self.rows_skipped += 1
        if self.rows_failed + self.rows_skipped <= MAX_ROW_MESSAGES:
            self.problems.append(Problem(where, message, severity))


def _published(meta: Metadata, where: str, problems: list[Problem]) -> Any:
    if not meta.published:
        return None
    try:
        return parse_date(meta.published, what="published date")
    except ValueError as exc:
        problems.append(Problem(where, f"{exc}; ingested undated", "warning"))
        return None


def _first_line_title(text: str, fallback: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= _TITLE_MAX_CHARS else fallback
    return fallback


def _file_article(where: str, article_id: str, text: str, meta: Metadata, problems: list[Problem],
                  default_title: str) -> Article:
    if not text.strip():
        raise BadInputError("no text in the file (only metadata or markup)", path=where)
    return Article(
        article_id=meta.article_id or (stable_id("url", meta.url) if meta.url else article_id),
        text=text,
        title=meta.title or default_title,
        source=meta.source,
        url=meta.url,
        published=_published(meta, where, problems),
    )


def _row_article(src_stem: str, where: str, line: int, mapping: dict[str, Any], result: ReadResult) -> Article | None:
    lower = {str(k).strip().lower(): v for k, v in mapping.items() if k is not None}
    text = lower.get("text")
    if not isinstance(text, str) or not text.strip():
        result.row_problem(where, "empty or missing text; row skipped", "skipped")
        return None
    meta = _metadata_from({k: v for k, v in lower.items() if k != "text"})
    text = _clean_text(clean_str(text))
    if meta.article_id:
        article_id = meta.article_id
    elif meta.url:
        article_id = stable_id("url", meta.url)
    else:
        article_id = row_article_id(text)
    if meta.article_id or meta.url:
        result.named.add(article_id)
    return Article(
        article_id=article_id,
        text=text,
        title=meta.title or _first_line_title(text, f"{src_stem} line {line}"),
        source=meta.source,
        url=meta.url,
        published=_published(meta, where, result.problems),
    )


def _read_csv_batch(display: str, stem: str, text: str, result: ReadResult) -> None:
    names, rows = _csv_records(text, display)
    if "text" not in names:
        hint = ""
        if {"event_id_cnty", "sub_event_type"} <= set(names):
            hint = " (looks like an ACLED export: use --format acled)"
        elif {"type_of_violence", "where_prec"} <= set(names):
            hint = " (looks like a UCDP GED export: use --format ucdp)"
        raise BadInputError(f"CSV batch has no 'text' column{hint}", path=display)
    for row in rows:
        if row.record is None:
            result.row_problem(display, f"{row.label}: {row.problem}; row not ingested", "failed")
            continue
        where = f"{display} row {row.number}"
        article = _row_article(stem, where, row.first_line, row.record, result)
        if article is not None:
            result.articles.append((where, article))


def _read_jsonl_batch(display: str, stem: str, text: str, result: ReadResult) -> None:
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{display} line {line_no}"
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            result.row_problem(display, f"line {line_no}: not JSON ({reason}); line not ingested", "failed")
            continue
        if not isinstance(obj, dict):
            result.row_problem(display, f"line {line_no}: not a JSON object; line not ingested", "failed")
            continue
        article = _row_article(stem, where, line_no, obj, result)
        if article is not None:
            result.articles.append((where, article))


def read_document(name: str, data: bytes, *, article_id: str, display: str, manifest: Metadata = Metadata(),
                  max_bytes: int | None = DEFAULT_MAX_BYTES) -> ReadResult:
    """Articles in one input's bytes (``name`` decides the kind by its suffix); BadInputError when
    the whole input is unusable. ``article_id`` is the id of a text/HTML document without its own."""
    text = _clean_text(decode_text(data, path=display))
    if not text.strip():
        raise BadInputError("empty file", path=display)
    suffix = Path(name).suffix.lower()
    stem = Path(name).stem
    result = ReadResult()
    if suffix in CSV_SUFFIXES or suffix in JSONL_SUFFIXES:
        if suffix in CSV_SUFFIXES:
            csv_field_limit(max_bytes)
            _read_csv_batch(display, stem, text, result)
        else:
            _read_jsonl_batch(display, stem, text, result)
        if not result.articles:
            kind = "rows" if suffix in CSV_SUFFIXES else "lines"
            lost = f" ({result.rows_failed} unreadable)" if result.rows_failed else ""
            raise BadInputError(f"no usable {kind} in the batch{lost}", path=display)
        return result
    if suffix in HTML_SUFFIXES:
        page_meta, body = html_to_text(text)
        meta = manifest.merged_over(page_meta)
        result.articles.append((display, _file_article(display, article_id, body, meta, result.problems, stem)))
        if meta.article_id or meta.url:
            result.named.add(result.articles[-1][1].article_id)
        return result
    front, body, problem = front_matter(text)
    if problem:
        result.problems.append(Problem(display, problem, "warning"))
    meta = front.merged_over(manifest)
    article = _file_article(display, article_id, body, meta, result.problems, _first_line_title(body, stem))
    result.articles.append((display, article))
    if meta.article_id or meta.url:
        result.named.add(article.article_id)
    return result


def read_articles(src: SourceFile, *, max_bytes: int | None = DEFAULT_MAX_BYTES,
                  manifests: ManifestCache | None = None) -> ReadResult:
    """Articles in one input file; BadInputError when the whole file is unusable."""
    data = read_input_bytes(src.path, max_bytes, display=src.display)
    suffix = src.path.suffix.lower()
    manifest = Metadata()
    if suffix not in CSV_SUFFIXES + JSONL_SUFFIXES:
        manifest = (manifests or ManifestCache()).lookup(src.path)
    return read_document(path_text(src.path.name), data, article_id=file_article_id(src.path), display=src.display,
                         manifest=manifest, max_bytes=max_bytes)


def read_upload(name: str, data: bytes, *, max_bytes: int | None = DEFAULT_MAX_BYTES) -> ReadResult:
    """The dashboard's upload: a file's name and bytes -> the articles and problems ``geo ingest``
    gives for that file (same decoding, front matter, HTML, CSV/JSONL rows, dates). A text/HTML
    upload without its own id or url gets ``stable_id("upload", name, text)``: uploads have no
    path, and two uploads named ``report.txt`` are two articles unless their text is the same.
    Raises BadInputError when the whole file is unusable (empty, binary, too large)."""
    display = printable(path_text(name))
    check_size(len(data), max_bytes, display, hint="")
    if not data.strip():
        raise BadInputError("empty file", path=display)
    text_key = stable_id(_clean_text(decode_text(data, path=display)), length=32)
    return read_document(name, data, article_id=stable_id("upload", display, text_key), display=display,
                         max_bytes=max_bytes)
