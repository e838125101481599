"""The ingest batch contract, as a property: any bytes or JSON in, one answer per input out, the
batch finishes, every article counted once, the store consistent, and a second run changes
nothing."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from fixtures_store import assert_consistent, word_extractor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.ingest.batch import IngestSummary, ingest_paths
from geo.store.gpkg import GpkgEventStore

TOWN_WORDS = ["Fighting", "in", "Manbij", "Homs", "shelled", "protest", "Idlib", "5", "killed", ",", '"', "\n", "---",
              "published:", "2014-01-05", "yesterday", "9999-12-31", "\x1b[1A", "\u202e", "text"]

json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=8,
)
json_objects = st.fixed_dictionaries(
    {}, optional={"text": st.text(max_size=40) | st.lists(st.sampled_from(TOWN_WORDS), max_size=8).map(" ".join),
                  "id": st.text(max_size=5), "url": st.text(max_size=12), "title": st.text(max_size=10),
                  "published": st.sampled_from(["2014-01-05", "5 January 2014", "yesterday", "0001-01-01", "", "x"])},
)
jsonl_files = st.lists(
    st.one_of(json_objects.map(json.dumps), json_values.map(json.dumps), st.text(max_size=20)), max_size=6,
).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass"))
text_files = st.one_of(
    st.binary(max_size=200),
    st.lists(st.sampled_from(TOWN_WORDS), max_size=20).map(" ".join).map(str.encode),
    st.text(max_size=80).map(lambda t: t.encode("utf-16-le")),
    st.text(max_size=80).map(lambda t: t.encode("utf-8", "surrogatepass")),
)
csv_files = st.lists(st.lists(st.sampled_from(TOWN_WORDS + ["", "id", "r1", "a,b"]), min_size=1, max_size=4)
                     .map(",".join), min_size=1, max_size=6).map(lambda rows: "\n".join(["id,text", *rows]).encode())
inputs = st.lists(
    st.one_of(
        st.tuples(st.sampled_from([".txt", ".md", ".html", ".pdf", ""]), text_files),
        st.tuples(st.just(".jsonl"), jsonl_files),
        st.tuples(st.just(".csv"), csv_files | st.binary(max_size=100)),
    ),
    min_size=1, max_size=6,
)


def _check(summary: IngestSummary, n_files: int) -> None:
    assert summary.inputs == n_files, summary  # one answer per input
    assert summary.inputs == summary.inputs_read + summary.skipped + summary.inputs_failed
    assert summary.articles_read == (summary.added + summary.unchanged + summary.replaced + summary.updated
                                     + summary.duplicates + summary.failed)
    for line in summary.lines():
        assert "\n" not in line and "\x1b" not in line and "\u202e" not in line


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=inputs)
def test_any_input_gets_one_answer_and_the_store_stays_consistent(files: list[tuple[str, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for i, (suffix, data) in enumerate(files):
            (folder / f"f{i}{suffix}").write_bytes(data)
        with GpkgEventStore(Path(tmp) / "s.gpkg") as store:
            first = ingest_paths([folder], store, word_extractor, progress=False)
            _check(first, len(files))
            assert_consistent(store)
            stored = store.count()
            again = ingest_paths([folder], store, word_extractor, progress=False)
            _check(again, len(files))
            assert (again.added, again.replaced, again.updated) == (0, 0, 0), again
            assert again.unchanged == first.added + first.replaced + first.updated + first.unchanged
            assert store.count() == stored
            assert_consistent(store)
