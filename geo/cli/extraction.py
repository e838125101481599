"""``extract`` and ``evaluate``: events from text."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from geo.cli.common import dumps
from geo.errors import BadInputError, GeoError

log = logging.getLogger(__name__)


def mention_record(m) -> dict:
    return {"text": m.text, "start": m.start, "end": m.end, "cue": m.cue}


# -- extract -----------------------------------------------------------------------------------
def _event_dicts(result) -> list[dict]:
    return [e.to_record() for e in result.events]


def cmd_extract(args: argparse.Namespace) -> int:
    from geo.dates import parse_published
    from geo.extract import Geoparser
    from geo.models import Article, stable_id

    parser = Geoparser()
    if args.jsonl:
        return _extract_jsonl(parser, args.jsonl)
    if not args.article:
        raise BadInputError("give an ARTICLE file or --jsonl IN.jsonl")
    path = Path(args.article)
    text = decode_text(sys.stdin.buffer.read(), what="stdin") if args.article == "-" else _read_text(path)
    article = Article(article_id=args.id or stable_id(path.name if args.article != "-" else text),
                      text=text, published=parse_published(args.published), source=args.source or "")
    result = parser.extract(article)
    for event in result.events:
        print(dumps(event.to_record()))
    for mention in result.unresolved:
        log.warning("unresolved place name %r at %d-%d", mention.text, mention.start, mention.end)
    return 0


def _extract_jsonl(parser, source: str) -> int:
    """One output line per input line (blank lines skipped): the events, or one error naming the
    line's own number and id. A bad line never stops the batch; the exit code is 1 when any failed."""
    failures = 0
    for line_no, line in _jsonl_lines(source):
        if not line.strip():
            continue
        item: object = None
        try:
            item = json.loads(line)
            _emit(_extract_item(parser, item))
        except (ValueError, GeoError, RecursionError) as exc:
            failures += 1
            item_id = item.get("id") if isinstance(item, dict) else None
            _emit({"id": item_id if isinstance(item_id, (str, int)) else None, "events": [],
                   "unresolved": [], "error": f"line {line_no}: {type(exc).__name__}: {exc}"})
    if failures:
        log.error("%d line(s) failed", failures)
    return 0 if not failures else 1


def _emit(obj: dict) -> None:
    """One JSON line; lone surrogates (JSON allows "\\ud800") are written escaped, not as a crash."""
    line = dumps(obj)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(obj, ensure_ascii=True, default=str)
    print(line)


def _extract_item(parser, item: object) -> dict:
    from geo.dates import parse_published
    from geo.models import Article, stable_id

    if not isinstance(item, dict):
        raise BadInputError(f"expected a JSON object, got {type(item).__name__}")
    text = item.get("text")
    if not isinstance(text, str):
        raise BadInputError("'text' is missing" if text is None else "'text' must be a string")
    raw_id = item.get("id")
    if raw_id is not None and not isinstance(raw_id, (str, int)):
        raise BadInputError("'id' must be a string or a number")
    article = Article(article_id=str(raw_id) if raw_id not in (None, "") else stable_id(text), text=text,
                      published=parse_published(item.get("published")))
    result = parser.extract(article)
    return {"id": raw_id, "events": _event_dicts(result),
            "unresolved": [mention_record(m) for m in result.unresolved]}


def _jsonl_lines(source: str):
    """(line number, line) of a JSON-lines file or stdin, decoded from UTF-8, or from UTF-16/32
    when the bytes say so (a BOM, or the zero bytes of UTF-16 without one); anything else that is
    not UTF-8 is refused with one clear error."""
    data = sys.stdin.buffer.read() if source == "-" else _read_bytes(Path(source))
    text = decode_text(data, what=source if source != "-" else "stdin")
    yield from enumerate(text.splitlines(), start=1)


def decode_text(data: bytes, *, what: str) -> str:
    """UTF-8 (with or without BOM), UTF-16/32 with a BOM, or UTF-16 without one (recognised by its
    zero bytes); anything else raises BadInputError instead of silently giving no events."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"),
                       (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return _decode(data, codec, what)
    if b"\x00" in data[:4096]:
        sample = data[:4096]
        even_zeros = sample[0::2].count(0)
        odd_zeros = sample[1::2].count(0)
        half = max(1, len(sample) // 2)
        # UTF-16 of mostly Latin/Arabic text: zero bytes on one side only (the high bytes).
        if odd_zeros >= 0.3 * half and even_zeros <= 0.05 * half:
            return _decode(data, "utf-16-le", what)
        if even_zeros >= 0.3 * half and odd_zeros <= 0.05 * half:
            return _decode(data, "utf-16-be", what)
        raise BadInputError("binary data, not text", path=what)
    return _decode(data, "utf-8", what)


def _decode(data: bytes, codec: str, what: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise BadInputError(f"not {codec.upper()} text (byte {exc.start})", path=what) from exc


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BadInputError(f"cannot read: {exc.strerror}", path=str(path)) from exc


def _read_text(path: Path) -> str:
    return decode_text(_read_bytes(path), what=str(path))


# -- evaluate ----------------------------------------------------------------------------------
def cmd_evaluate(args: argparse.Namespace) -> int:
    from geo.extract.evaluate import evaluate_csv

    report = evaluate_csv(Path(args.gold), keep_misses=args.misses)
    print(json.dumps(report.as_dict(), indent=2))
    if args.misses:
        for miss in report.misses:
            print(dumps(miss), file=sys.stderr)
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("extract", help="extract events from an article (JSON lines on stdout)")
    p.add_argument("article", nargs="?", help="a UTF-8 text file, or - for stdin")
    p.add_argument("--published", help="publication date YYYY-MM-DD (no date: undated events)")
    p.add_argument("--id", help="article id (default: from the file name)")
    p.add_argument("--source", help="source name stored on the events")
    p.add_argument("--jsonl", help='batch: lines {"id","text","published"}; - for stdin')
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("evaluate", help="score extraction on a labelled CSV")
    p.add_argument("gold", help="CSV with id,text,published,admin1,latitude,longitude[,text_names_location]")
    p.add_argument("--misses", action="store_true", help="list wrong rows on stderr")
    p.set_defaults(func=cmd_evaluate)

