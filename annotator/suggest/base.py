"""The suggester interface and the helpers every implementation shares (no spaCy here)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from annotator.errors import UserError
from annotator.model import Span


@runtime_checkable
class Suggester(Protocol):
    """Texts in, suggested spans out.

    ``suggest`` yields one list per text, in the order given, of :class:`annotator.model.Span`
    with status SUGGESTED, ``origin == name``, ``origin_version == version`` and offsets as Python
    code points into exactly the text given. ``version`` changes whenever the model or the patterns
    change, so a store can tell which documents still need suggestions from this version.
    """

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    def suggest(
        self, texts: Sequence[str], *, batch_size: int = 64, n_process: int = 1
    ) -> Iterator[list[Span]]: ...


class LabelMapError(UserError, ValueError):
    """A label map that cannot be read."""


def load_label_map(
    source: str | Path | Mapping[str, str] | Iterable[str] | None,
) -> dict[str, str]:
    """A label map from a file, from ``SRC=DST`` pairs (``--map GPE=LOC``), or from a dict.

    Files are either a JSON object (``{"GPE": "LOC"}``) or text with one ``SRC=DST`` or
    ``SRC<TAB>DST`` per line (``#`` starts a comment). An empty ``DST`` (``DATE=``) drops the label
    on purpose. A string or path that names an existing file is read as a file; any other string is
    one pair. Later pairs win.
    """
    if source is None:
        return {}
    if isinstance(source, Mapping):
        return {str(k).strip(): str(v).strip() for k, v in source.items()}
    if isinstance(source, Path) or (isinstance(source, str) and "=" not in source):
        return _read_map_file(Path(source))
    pairs = [source] if isinstance(source, str) else list(source)
    out: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair and Path(pair).is_file():
            out.update(_read_map_file(Path(pair)))
            continue
        out.update(_parse_pairs([pair], where="--map"))
    return out


def _read_map_file(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelMapError(f"{path}: cannot read the label map: {exc}") from exc
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LabelMapError(f"{path}: invalid JSON: {exc}") from exc
        except RecursionError:
            raise LabelMapError(f"{path}: JSON nested too deeply") from None
        if not isinstance(data, dict):
            raise LabelMapError(f"{path}: a label map is a JSON object of label names")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
            raise LabelMapError(f"{path}: a label map maps label names to label names")
        return {k.strip(): v.strip() for k, v in data.items()}
    lines = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    return _parse_pairs([line.replace("\t", "=", 1) for line in lines if line], where=str(path))


def _parse_pairs(pairs: Iterable[str], *, where: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        src, sep, dst = pair.partition("=")
        if not sep or not src.strip():
            raise LabelMapError(f"{where}: expected SRC=DST, got {pair!r}")
        out[src.strip()] = dst.strip()
    return out
