"""Stage 3: reading sources (text, HTML, CSV/JSONL batches, ACLED/UCDP exports) and writing their
events to a store, one article per transaction; ``parallel`` runs extraction on a Dask cluster.

Code outside this package imports from here, not from the modules (but for the modules of
optional extras, imported where they are used)."""

from geo.ingest.batch import (
    DEFAULT_DATASET_MAX_BYTES,
    DEFAULT_MAX_BYTES,
    INPUT_FORMATS,
    IngestSummary,
    build_extractor,
    decode_text,
    html_to_text,
    ingest_paths,
    normalize_admin1,
    split_front_matter,
)

__all__ = [
    "DEFAULT_DATASET_MAX_BYTES", "DEFAULT_MAX_BYTES", "INPUT_FORMATS", "IngestSummary", "build_extractor",
    "decode_text", "html_to_text", "ingest_paths", "normalize_admin1",
    "split_front_matter",
]
