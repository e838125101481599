"""A large article corpus from real text, for ingest benchmarks and tests.

    python -m benchmarks.corpus OUT_FOLDER --articles 20000 [--seed 7] [--per-file 500]

Sources: the headlines of ``../shared/eval/ucdp_syria_dev.csv`` (400 UCDP GED rows; the
``text`` column holds one or more headlines separated by ';', mostly from the Syrian
Observatory for Human Rights) and the sentences of the seed article(s) in ``seeds/``.
Each article is 2-7 sentences drawn from that pool with a seeded RNG (about two in three
are headlines), in one to three paragraphs, published on the date of the UCDP row it
draws its first headline from (the seed article's own date for seed sentences). The same
seed gives the same corpus, byte for byte. Where shared/ is absent the pool is the seed
sentences only (logged), which still exercises the whole pipeline.

Articles are written as JSONL batches (``id``, ``title``, ``source``, ``published``,
``text``) of ``per_file`` rows, the input the ingest reads fastest per article.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import logging
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
UCDP_CSV = ROOT.parent / "shared" / "eval" / "ucdp_syria_dev.csv"
SEEDS = ROOT / "seeds"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


@dataclass(frozen=True)
class Sentence:
    text: str
    published: dt.date | None
    source: str


def ucdp_headlines(path: Path = UCDP_CSV) -> list[Sentence]:
    """Every headline of the UCDP dev set (``text`` split on ';'), with its row's date."""
    out: list[Sentence] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            published = dt.date.fromisoformat(row["published"]) if row.get("published") else None
            for part in row["text"].split(";"):
                part = " ".join(part.split())
                if len(part) < 12:
                    continue
                if part[-1] not in ".!?":
                    part += "."
                out.append(Sentence(part, published, "SOHR via UCDP GED"))
    return out


def seed_sentences(folder: Path = SEEDS) -> list[Sentence]:
    """The sentences of the seed articles (title line left out), dated from their manifest."""
    dates: dict[str, dt.date] = {}
    manifest = folder / "manifest.csv"
    if manifest.exists():
        with manifest.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row.get("published"):
                    dates[row["file"]] = dt.date.fromisoformat(row["published"])
    out: list[Sentence] = []
    for path in sorted(folder.glob("*.txt")):
        paragraphs = [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
        for paragraph in paragraphs[1:]:  # the first is the title
            for sentence in _SENTENCE_END.split(" ".join(paragraph.split())):
                if len(sentence) >= 20:
                    out.append(Sentence(sentence, dates.get(path.name), "seed article"))
    return out


def build_articles(n: int, seed: int = 7, *, ucdp: Path = UCDP_CSV, seeds: Path = SEEDS) -> list[dict[str, str]]:
    """``n`` article records (id, title, source, published, text), deterministic for ``seed``."""
    headlines = ucdp_headlines(ucdp) if ucdp.exists() else []
    if not headlines:
        log.warning("%s not found: the corpus is built from the seed sentences only", ucdp)
    seed_pool = seed_sentences(seeds)
    if not headlines and not seed_pool:
        raise FileNotFoundError(f"no sentences: neither {ucdp} nor {seeds}/*.txt")
    rng = random.Random(seed)
    records = []
    for i in range(n):
        k = rng.randint(2, 7)
        chosen: list[Sentence] = []
        seen: set[str] = set()
        while len(chosen) < k:
            pool = headlines if headlines and (not seed_pool or rng.random() < 0.67) else seed_pool
            sentence = pool[rng.randrange(len(pool))]
            if sentence.text not in seen:
                seen.add(sentence.text)
                chosen.append(sentence)
        cuts = sorted(rng.sample(range(1, k), min(k - 1, rng.randint(0, 2))))
        paragraphs, start = [], 0
        for cut in [*cuts, k]:
            paragraphs.append(" ".join(s.text for s in chosen[start:cut]))
            start = cut
        first = chosen[0]
        published = first.published or next((s.published for s in chosen if s.published), None)
        records.append({
            "id": f"bench-{seed}-{i:06d}",
            "title": first.text[:120],
            "source": first.source,
            "published": published.isoformat() if published else "",
            "text": "\n\n".join(paragraphs),
        })
    return records


def write_corpus(folder: Path, n: int, seed: int = 7, *, per_file: int = 500) -> list[Path]:
    """Write ``n`` articles as JSONL batches under ``folder``; the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    records = build_articles(n, seed)
    paths = []
    for start in range(0, n, per_file):
        path = folder / f"corpus-{start // per_file:04d}.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for record in records[start:start + per_file]:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.corpus", description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the JSONL batches to")
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-file", type=int, default=500)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    paths = write_corpus(args.out, args.articles, args.seed, per_file=args.per_file)
    print(f"wrote {args.articles} articles in {len(paths)} files under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
