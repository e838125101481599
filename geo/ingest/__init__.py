"""Stage 3: reading sources (text, HTML, CSV/JSONL batches, ACLED/UCDP exports) and writing their
events to a store, one article per transaction; ``parallel`` runs extraction on a Dask cluster.

Modules: ``sources`` (bytes -> Articles, for the CLI and the dashboard's upload alike), ``datasets``
(ACLED/UCDP rows -> Events), ``rows`` (problems, safe names, the CSV row loop), ``batch`` (running a
batch, its summary), ``parallel`` (Dask; an optional extra, imported where used).

Code outside this package imports from here, not from the modules (but for the modules of
optional extras, imported where they are used)."""

from geo.ingest.batch import (
    INPUT_FORMATS,
    IngestSummary,
    build_extractor,
    ingest_articles,
    ingest_paths,
)
from geo.ingest.datasets import DEFAULT_DATASET_MAX_BYTES, normalize_admin1
from geo.ingest.rows import Problem, printable
from geo.ingest.sources import (
    DEFAULT_MAX_BYTES,
    ReadResult,
    decode_text,
    file_article_id,
    html_to_text,
    read_upload,
    split_front_matter,
)

__all__ = [
    "DEFAULT_DATASET_MAX_BYTES", "DEFAULT_MAX_BYTES", "INPUT_FORMATS", "IngestSummary", "Problem", "ReadResult",
    "build_extractor", "decode_text", "file_article_id", "html_to_text", "ingest_articles", "ingest_paths",
    "normalize_admin1", "printable", "read_upload", "split_front_matter",
]
