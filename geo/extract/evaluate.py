"""Score extraction against a labelled CSV (the columns of shared/eval/ucdp_syria_dev.csv).

For rows whose text names the gold place: the share whose best event lies within 10 km and
25 km of the gold point. For all rows: the share whose best event is in the gold governorate,
the share with no event at all, and the median error in km (rows with an event).
"""

from __future__ import annotations

import csv
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from geo.dates import parse_published
from geo.errors import BadInputError
from geo.extract.pipeline import Geoparser
from geo.gazetteer import haversine_km
from geo.models import Article

REQUIRED_COLUMNS = ("id", "text", "published", "admin1", "latitude", "longitude")


@dataclass
class EvalReport:
    rows: int = 0
    named_rows: int = 0
    within_10km_named: int = 0
    within_25km_named: int = 0
    right_admin1: int = 0
    right_admin1_named: int = 0
    no_event_named: int = 0
    no_event: int = 0
    errors_km: list[float] = field(default_factory=list)
    misses: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        share = lambda n, d: round(n / d, 4) if d else None
        return {
            "rows": self.rows,
            "rows_naming_place": self.named_rows,
            "within_10km_of_named": share(self.within_10km_named, self.named_rows),
            "within_25km_of_named": share(self.within_25km_named, self.named_rows),
            "right_admin1": share(self.right_admin1, self.rows),
            # the aims are on the rows whose text names the true place
            "right_admin1_of_named": share(self.right_admin1_named, self.named_rows),
            "no_event_of_named": share(self.no_event_named, self.named_rows),
            "no_event": share(self.no_event, self.rows),
            "median_error_km": round(statistics.median(self.errors_km), 2) if self.errors_km else None,
        }


def _truthy(value: str | None) -> bool:
    return str(value).strip().lower() in {"true", "1", "yes", "y", "t"}


def evaluate_csv(path: Path, parser: Geoparser | None = None, *, keep_misses: bool = False) -> EvalReport:
    parser = parser or Geoparser()
    report = EvalReport()
    try:
        fh = open(path, newline="", encoding="utf-8")
    except OSError as exc:
        raise BadInputError(f"cannot open: {exc}", path=str(path)) from exc
    with fh:
        reader = csv.DictReader(fh)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise BadInputError(f"missing columns {missing}", path=str(path))
        for row in reader:
            report.rows += 1
            article = Article(article_id=row["id"], text=row["text"], published=parse_published(row["published"]))
            result = parser.extract(article)
            gold = (float(row["latitude"]), float(row["longitude"]))
            named = _truthy(row.get("text_names_location", "true"))
            report.named_rows += named
            if not result.events:
                report.no_event += 1
                report.no_event_named += named
                if keep_misses:
                    report.misses.append({"id": row["id"], "why": "no event", "named": named, "text": row["text"]})
                continue
            best = result.events[0]
            km = haversine_km(gold, (best.latitude, best.longitude))
            report.errors_km.append(km)
            report.right_admin1 += best.admin1 == row["admin1"]
            if named:
                report.right_admin1_named += best.admin1 == row["admin1"]
                report.within_10km_named += km <= 10
                report.within_25km_named += km <= 25
            if keep_misses and (best.admin1 != row["admin1"] or (named and km > 10)):
                report.misses.append({"id": row["id"], "why": f"{best.location} ({best.admin1}) {km:.0f} km; gold {row.get('location')} ({row['admin1']})",
                                      "named": named, "text": row["text"]})
    return report
