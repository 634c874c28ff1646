"""One registry of formats: which module reads and writes each, and which files it takes.

Each format is one module under ``annotator.formats`` (loaded on first use, like spaCy's
``CONVERTERS``) with any of:

* ``read(path: Path, ctx: ReadContext) -> Iterator[Record | Problem]``: one input file to records
  (see :mod:`annotator.formats.reading`);
* ``write(items, out, ctx, report)``: an export (see :mod:`annotator.formats`);
* ``sniff(head: bytes) -> bool``: True if the first bytes of a file look like this format, so a
  file with a suffix of another format (a CoNLL file saved as ``.txt``) still goes to its reader;
* ``scheme(paths: Sequence[Path]) -> LabelScheme | None``: the label scheme the input declares
  (brat's ``annotation.conf``), used for a new project without ``--scheme``.

Nothing here imports the store or the GUI; modules are imported only when a file needs them.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from annotator.errors import UserError
from annotator.formats.reading import Problem

SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class FormatSpec:
    name: str
    module: str
    suffixes: tuple[str, ...] = ()
    """File suffixes (lower case) this format reads when no ``--format`` is given."""
    sniffs: tuple[str, ...] = ()
    """Suffixes of other formats whose files this format claims when ``sniff`` says so."""
    companions: tuple[tuple[str, str], ...] = ()
    """``(suffix, partner)``: a file with ``suffix`` beside a file with ``partner`` is read as
    part of the partner (brat: ``.txt`` beside ``.ann``) and not on its own."""
    reads: bool = True
    writes: bool = False
    summary: str = ""

    def load(self) -> ModuleType:
        return importlib.import_module(self.module)


FORMATS: dict[str, FormatSpec] = {
    spec.name: spec
    for spec in (
        FormatSpec(
            "conllu",
            "annotator.formats.conllu",
            suffixes=(".conllu",),
            sniffs=(".conll", ".txt", ".tsv"),
            summary="CoNLL-U (Universal Dependencies): text, tokens, sentences; named entities "
            "in a column or in MISC (NE=, NER=, Entity=)",
        ),
        FormatSpec(
            "conll",
            "annotator.formats.conll",
            suffixes=(".conll", ".iob", ".iob2", ".bio", ".testa", ".testb", ".train"),
            sniffs=(".txt", ".tsv"),
            writes=True,
            summary="CoNLL token-per-line with IOB/BILOU tags; -DOCSTART- and sentence breaks",
        ),
        FormatSpec(
            "webanno",
            "annotator.formats.webanno",
            suffixes=(".tsv",),
            sniffs=(".txt",),
            writes=True,
            summary="WebAnno TSV 3 (INCEpTION): span layers in, named entities out",
        ),
        FormatSpec(
            "jsonl",
            "annotator.formats.jsonl",
            suffixes=(".jsonl",),
            writes=True,
            summary="this project's own JSON lines, lossless (other tools' .jsonl by their shape)",
        ),
        FormatSpec(
            "prodigy",
            "annotator.formats.prodigy",
            sniffs=(".jsonl",),
            writes=True,
            summary="Prodigy tasks (JSONL): answers, tokens, rel.manual relations, hashes",
        ),
        FormatSpec(
            "doccano",
            "annotator.formats.doccano",
            sniffs=(".jsonl", ".json"),
            writes=True,
            summary="doccano JSONL: label triples, or entities and relations",
        ),
        FormatSpec(
            "labelstudio",
            "annotator.formats.labelstudio",
            suffixes=(".json",),
            writes=True,
            summary="Label Studio JSON: a list of tasks with annotations and predictions",
        ),
        FormatSpec(
            "text",
            "annotator.formats.text",
            suffixes=(".txt",),
            summary="plain text, one document per file (the file name is its id)",
        ),
        FormatSpec(
            "spacy",
            "annotator.formats.spacy_",
            reads=False,
            writes=True,
            summary="spaCy DocBin files plus a training config",
        ),
        FormatSpec(
            "smartdata",
            "annotator.formats.smartdata",
            summary="DFKI Smart Data corpus (concatenated JSON, .json.gz): entities, and events "
            "on their triggers with role arguments (--format smartdata)",
        ),
        FormatSpec(
            "brat",
            "annotator.formats.brat",
            suffixes=(".ann",),
            companions=((".txt", ".ann"),),
            writes=True,
            summary="brat standoff: .txt/.ann pairs and annotation.conf",
        ),
    )
}
"""Every format by name, in the order content sniffing tries them."""


class UnknownFormat(UserError, ValueError):
    """A format name nobody registered (the message lists the known ones)."""


def spec(name: str) -> FormatSpec:
    if name not in FORMATS:
        raise UnknownFormat(f"unknown format {name!r} (known: {', '.join(FORMATS)})")
    return FORMATS[name]


def reading_formats() -> list[FormatSpec]:
    return [s for s in FORMATS.values() if s.reads]


def writing_formats() -> list[FormatSpec]:
    return [s for s in FORMATS.values() if s.writes]


def readable_suffixes() -> list[str]:
    return sorted({suffix for s in reading_formats() for suffix in s.suffixes})


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(SNIFF_BYTES)
    except OSError:
        return b""


def detect(path: Path) -> FormatSpec | None:
    """The format that reads ``path`` when none was chosen: by content where a format sniffs
    files of that suffix, else by suffix; None if no format takes it."""
    suffix = path.suffix.lower()
    sniffers = [s for s in reading_formats() if suffix in s.sniffs]
    if sniffers:
        head = _head(path)
        for candidate in sniffers:
            sniff = getattr(candidate.load(), "sniff", None)
            if sniff is not None and sniff(head):
                return candidate
    for candidate in reading_formats():
        if suffix in candidate.suffixes:
            return candidate
    return None


@dataclass(frozen=True)
class Skipped:
    """A file inside a folder that no format reads: not imported, and said so."""

    path: str
    reason: str


def _is_companion(path: Path, chosen: FormatSpec | None) -> bool:
    suffix = path.suffix.lower()
    candidates = [chosen] if chosen is not None else reading_formats()
    for candidate in candidates:
        for own, partner in candidate.companions:
            if suffix == own and (
                path.with_suffix(partner).exists() or path.with_suffix(partner.upper()).exists()
            ):
                return True
    return False


def expand(
    paths: Iterable[Path], fmt: str | None = None
) -> Iterator[tuple[Path, FormatSpec] | Problem | Skipped]:
    """Files to read, each with its format, from files and folders, in a stable order.

    A file named on the command line is read by ``fmt`` when given, whatever its suffix. Inside
    folders (searched recursively, hidden files left out) a file is read if its suffix (in any
    case) belongs to ``fmt``, or to any format when ``fmt`` is None; other files are reported as
    :class:`Skipped`, never passed over silently.
    """
    chosen = spec(fmt) if fmt is not None else None
    if chosen is not None and not chosen.reads:
        raise UnknownFormat(f"format {chosen.name!r} can be exported but not imported")
    for path in paths:
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            found = False
            for file in files:
                if _is_companion(file, chosen):
                    continue
                taken = _format_in_folder(file, chosen)
                if taken is None:
                    yield Skipped(str(file), file.suffix.lower() or "no suffix")
                    continue
                found = True
                yield file, taken
            if not found:
                known = ", ".join(chosen.suffixes if chosen else readable_suffixes())
                yield Problem(str(path), f"no files to import ({known})")
        elif path.exists() and not path.is_file():
            yield Problem(str(path), "not a regular file or folder")
        elif path.is_file():
            taken = chosen or detect(path)
            if taken is None:
                yield Problem(
                    str(path),
                    f"unknown file type {path.suffix or '(none)'!r}; can import "
                    f"{', '.join(readable_suffixes())}, or name the format with --format "
                    f"({', '.join(s.name for s in reading_formats())})",
                )
            else:
                yield path, taken
        else:
            yield Problem(str(path), "no such file or folder")


def _format_in_folder(file: Path, chosen: FormatSpec | None) -> FormatSpec | None:
    if chosen is None:
        return detect(file)
    suffix = file.suffix.lower()
    if suffix in chosen.suffixes or suffix in chosen.sniffs:
        return chosen
    return None


def scheme_from_input(paths: Sequence[Path], fmt: str | None = None) -> object | None:
    """The label scheme the input itself declares (e.g. brat's ``annotation.conf``), or None."""
    candidates = [spec(fmt)] if fmt is not None else reading_formats()
    for candidate in candidates:
        declare = getattr(candidate.load(), "scheme", None)
        if declare is not None:
            found = declare(paths)
            if found is not None:
                return found
    return None
