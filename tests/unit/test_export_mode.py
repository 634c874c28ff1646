"""Exported files get the mode any new file of the user gets (the umask), not 0600."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.formats import export
from annotator.model import DocState, DocStatus, Document, Span, SpanStatus
from annotator.store import Store


@pytest.fixture
def umask() -> Iterator[int]:
    """A umask other than the usual 022, so the test shows it is the umask that is followed."""
    old = os.umask(0o027)
    yield 0o027
    os.umask(old)


@pytest.mark.parametrize("fmt", ["spacy", "conll", "jsonl", "brat"])
def test_exported_files_follow_the_umask(
    fmt: str, store: Store, tmp_path: Path, umask: int
) -> None:
    store.add_documents([Document(id="d1", text="Treffen in Minsk.")])
    span = Span(start=11, end=16, label="LOC", status=SpanStatus.ACCEPTED)
    store.replace_decisions("d1", "anna", add=[span], action="test")
    store.set_doc_state(DocState(doc_id="d1", annotator="anna", status=DocStatus.DONE))
    report = export(store, fmt, tmp_path / fmt)
    assert report.files
    # What a plain new file gets under this umask, measured rather than assumed.
    probe = tmp_path / "probe"
    probe.write_text("x")
    expected = stat.S_IMODE(probe.stat().st_mode)
    assert expected == 0o666 & ~umask
    for path in report.files:
        assert stat.S_IMODE(path.stat().st_mode) == expected, path
