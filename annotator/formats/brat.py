"""brat standoff in and out: per document a ``.txt`` (the text) and an ``.ann`` (the annotations),
with ``annotation.conf`` (the types) and ``visual.conf`` (their colours) beside them.

Offsets: brat reads the ``.txt`` with universal newlines (``server/src/annotation.py``,
``open_textfile``), so ``\\r\\n`` counts as one character in an ``.ann`` offset, and so does a
lone ``\\r``. Our offsets are code points into the text exactly as stored, ``\\r\\n`` counting
two; :class:`Offsets` converts at this boundary both ways. A UTF-8 byte-order mark, which we
remove from the text, is a character for brat and shifts its offsets by one. Characters outside
the Basic Multilingual Plane count once on both sides (brat's Python 3 code counts code points).

What maps to what (see ``docs/formats.md``):

* ``T`` lines are spans; the label is the type, the kind is the scheme's kind of that label. A
  discontinuous ``T`` (``0 5;7 9``) becomes one span from the first start to the last end; its
  fragments are kept in meta (``brat.fragments``) and written back.
* ``E`` lines: the trigger ``T`` is an event span; each argument ``Role:ID`` is a relation from
  the trigger to the argument's span, or to the trigger span of an argument that is an event.
  brat numbers repeated roles (``Org-Arg``, ``Org-Arg2``, ``Org-Arg3``); the number is removed on
  the way in (the role is ``Org-Arg`` each time, unless ``annotation.conf`` declares the numbered
  name itself) and put back on the way out, counted per role the way brat counts.
* ``R`` lines are relations from ``Arg1`` to ``Arg2`` with the type as role.
* ``A``/``M`` attributes, ``#`` notes, ``*`` equivalences and ``N`` normalisations are kept in
  the document's meta under ``brat`` with their targets named by span (start, end, label), so
  that the writer can point them at the new ids; a target that no longer exists is reported.

A span that crosses a line break is written as a discontinuous span (one fragment per line),
since an ``.ann`` line cannot hold a newline; its text field joins the fragments with a space,
as brat expects.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from annotator.formats import WHOLE, Context, ExportError, ExportReport, Item, Outputs
from annotator.formats.reading import (
    ImportedRelation,
    InputError,
    Problem,
    ReadContext,
    Record,
    check_text,
    make_document,
    read_text_file,
)
from annotator.model import (
    ROLE_RESERVED_KEYS,
    Label,
    LabelScheme,
    Role,
    Span,
    SpanKind,
    SpanStatus,
)

_LINE_BREAK = re.compile(r"[\n\r\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85]+")
_UNSAFE = re.compile(r"[^\w.\-]+")
_TYPE = re.compile(r"^[^\s:;]+$")
_ROLE_NUMBER = re.compile(r"^(.*?\D)([2-9]|[1-9]\d+)$")
_WS = re.compile(r"\s+")

META = "brat"
"""The document meta key of what brat holds and our model does not."""

KEPT_FRAGMENTS = "brat discontinuous span(s) (fragments kept in meta)"
KEPT = {
    "A": "brat attribute(s)",
    "M": "brat attribute(s)",
    "#": "brat note(s)",
    "*": "brat equivalence(s)",
    "N": "brat normalisation(s)",
}
MERGED_EVENTS = "brat event(s) sharing their trigger with another event (arguments merged)"


# --------------------------------------------------------------------------------------------
# Offsets: ours (code points of the stored text) and brat's (universal newlines)
# --------------------------------------------------------------------------------------------


class Offsets:
    """Converts between our offsets into ``text`` and brat's offsets into the same text read
    with universal newlines (``\\r\\n`` one character), optionally after a byte-order mark."""

    def __init__(self, text: str, *, bom: bool = False) -> None:
        # Our index of the "\n" of every "\r\n", and brat's index of the newline it becomes.
        self._ours = [m.start() + 1 for m in re.finditer("\r\n", text)]
        self._theirs = [p - 1 - j for j, p in enumerate(self._ours)]
        self.shift = 1 if bom else 0
        self.length = len(text) - len(self._ours) + self.shift
        """The text's length as brat counts it."""

    def to_brat(self, pos: int) -> int:
        return pos - bisect_left(self._ours, pos) + self.shift

    def from_brat(self, pos: int) -> int:
        pos -= self.shift
        return pos + bisect_left(self._theirs, pos)


def brat_text(text: str) -> str:
    """``text`` as brat reads it: universal newlines."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut at line breaks, each piece without the break characters."""
    out: list[tuple[int, int]] = []
    pos = start
    for m in _LINE_BREAK.finditer(text, start, end):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if pos < end:
        out.append((pos, end))
    return out or [(start, end)]


def safe_name(doc_id: str) -> str:
    return _UNSAFE.sub("_", doc_id).strip("._") or "doc"


def role_name(role: str) -> str:
    return _UNSAFE.sub("_", role) or "Arg"


# --------------------------------------------------------------------------------------------
# annotation.conf and visual.conf in: the label scheme of a new project
# --------------------------------------------------------------------------------------------

CONF = "annotation.conf"
VISUAL = "visual.conf"
SHORTCUTS = "kb_shortcuts.conf"
RESERVED_KEYS = frozenset("jkxafc?")
"""Single keys the annotate window uses for actions (``annotator.gui.actions``)."""
_KEY_CHOICES = "abcdefghijklmnopqrstuvwxyz0123456789"
_NAMED_COLOURS = {
    "black": "#000000",
    "white": "#ffffff",
    "red": "#ff0000",
    "green": "#008000",
    "blue": "#0000ff",
    "yellow": "#ffff00",
    "orange": "#ffa500",
    "purple": "#800080",
    "pink": "#ffc0cb",
    "brown": "#a52a2a",
    "gray": "#808080",
    "grey": "#808080",
    "cyan": "#00ffff",
    "magenta": "#ff00ff",
    "lightgreen": "#90ee90",
    "lightblue": "#add8e6",
    "lightgray": "#d3d3d3",
    "lightgrey": "#d3d3d3",
    "darkgreen": "#006400",
    "violet": "#ee82ee",
    "gold": "#ffd700",
    "salmon": "#fa8072",
    "khaki": "#f0e68c",
    "tan": "#d2b48c",
    "wheat": "#f5deb3",
    "lavender": "#e6e6fa",
    "beige": "#f5f5dc",
}
"""The CSS colour names brat's own configurations use; other names get a generated colour."""


@dataclass
class Conf:
    """What an ``annotation.conf`` declares."""

    entities: list[str] = field(default_factory=list)
    events: dict[str, list[str]] = field(default_factory=dict)
    """Event type -> its roles as declared (``Org-Arg+``, ``Place-Arg?``)."""
    fillers: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """Event type -> bare role -> the types that may fill it (macros such as ``<POG>``
    expanded; ``<ENTITY>``/``<EVENT>``/``<ANY>`` kept as they are)."""
    relations: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)

    def roles(self) -> set[str]:
        return {_bare_role(r) for roles in self.events.values() for r in roles}


def _bare_role(declared: str) -> str:
    return re.sub(r"(\{[\d\-,]*\}|[?*+])$", "", declared.strip())


def parse_conf(text: str) -> Conf:
    conf = Conf()
    section = ""
    macros: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0] if raw.lstrip().startswith("#") else raw
        stripped = line.strip()
        if not stripped:
            continue
        m = re.fullmatch(r"\[(\w+)\]", stripped)
        if m:
            section = m.group(1).lower()
            continue
        macro = re.fullmatch(r"(<[^>]+>)\s*=\s*(.+)", stripped)
        if macro:
            macros[macro.group(1)] = macro.group(2).strip()
            continue
        if stripped.startswith("<") or stripped.startswith("!"):
            continue  # special entries (<OVERLAP>), abstract types (!Life)
        name, _, rest = stripped.replace("\t", " ").partition(" ")
        if section == "entities":
            conf.entities.append(name)
        elif section == "events":
            roles = [a.split(":", 1)[0].strip() for a in rest.split(",") if ":" in a]
            conf.events[name] = roles
            per_role: dict[str, list[str]] = {}
            for arg in rest.split(","):
                if ":" not in arg:
                    continue
                role, _, types = arg.partition(":")
                for macro_name, value in macros.items():
                    types = types.replace(macro_name, value)
                bucket = per_role.setdefault(_bare_role(role), [])
                bucket += [t.strip() for t in types.split("|") if t.strip() not in ("", *bucket)]
            conf.fillers[name] = per_role
        elif section == "relations":
            conf.relations.append(name)
        elif section == "attributes":
            conf.attributes.append(name)
    return conf


def find_conf(path: Path, name: str = CONF) -> Path | None:
    """The ``name`` file brat uses for ``path``: in its folder, else in the nearest parent."""
    folder = path if path.is_dir() else path.parent
    for candidate in (folder.resolve(), *folder.resolve().parents):
        if (candidate / name).is_file():
            return candidate / name
    return None


def _conf_for(paths: Sequence[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        conf = find_conf(path)
        if conf is None and path.is_dir():
            # A folder above the brat collections (its sub-folders hold the conf).
            conf = next(iter(sorted(path.rglob(CONF))), None)
        if conf is not None and conf not in found:
            found.append(conf)
    return found


def _holds_standoff(path: Path) -> bool:
    """An ``.ann`` file (or its ``.txt``), or a folder with one somewhere inside: only such input
    takes its scheme from an ``annotation.conf`` (a folder of plain text never does)."""
    if path.is_dir():
        return any(p.suffix.lower() == ".ann" for p in path.rglob("*") if p.is_file())
    return path.suffix.lower() == ".ann" or _partner(path, ".ann") is not None


def _colours(path: Path) -> dict[str, str]:
    visual = path.parent / VISUAL
    if not visual.is_file():
        return {}
    out: dict[str, str] = {}
    section = ""
    for raw in visual.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"\[(\w+)\]", line)
        if m:
            section = m.group(1).lower()
            continue
        if section != "drawing":
            continue
        name, _, rest = line.replace("\t", " ").partition(" ")
        for item in rest.split(","):
            key, _, value = item.strip().partition(":")
            if key.strip() == "bgColor":
                colour = _colour(value.strip())
                if colour:
                    out[name] = colour
    return out


def _colour(value: str) -> str | None:
    value = value.lower()
    if re.fullmatch(r"#[0-9a-f]{6}", value):
        return value
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        return "#" + "".join(c * 2 for c in value[1:])
    return _NAMED_COLOURS.get(value)


def _generated_colour(n: int) -> str:
    """Distinct light colours by golden-ratio steps around the hue circle."""
    import colorsys

    r, g, b = colorsys.hls_to_rgb((n * 0.618033988749895) % 1.0, 0.75, 0.65)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def _shortcuts(path: Path) -> dict[str, str]:
    """Type -> key from ``kb_shortcuts.conf`` (``P Person``), matched without case."""
    file = path.parent / SHORTCUTS
    if not file.is_file():
        return {}
    out: dict[str, str] = {}
    for raw in file.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = raw.split()
        if len(parts) == 2 and len(parts[0]) == 1 and not raw.lstrip().startswith("#"):
            out[parts[1].lower()] = parts[0].lower()
    return out


def scheme(paths: Sequence[Path]) -> LabelScheme | None:
    """The label scheme brat's ``annotation.conf`` declares for ``paths`` (entity types as
    entity labels, event types as event labels), or None when there is none.

    Colours come from ``visual.conf`` beside it (``bgColor``), else are generated; keys from
    ``kb_shortcuts.conf`` where free, else the first free letter or digit of the name, else any
    free one (never a key the annotate window uses for an action). An event type's arguments
    become its label's roles (see :func:`_roles`). Raises ValueError when a type cannot be a label.
    """
    standoff = [Path(p) for p in paths if _holds_standoff(Path(p))]
    confs = _conf_for(standoff)
    if not confs:
        return None
    wanted: dict[str, tuple[SpanKind, str]] = {}
    fillers: dict[str, dict[str, list[str]]] = {}
    colours: dict[str, str] = {}
    shortcuts: dict[str, str] = {}
    for path in confs:
        try:
            conf = parse_conf(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: cannot read: {exc}") from None
        for name in conf.entities:
            wanted.setdefault(name, (SpanKind.ENTITY, f"brat entity type (from {path})"))
        for name, roles in conf.events.items():
            note = f"brat event type (from {path})"
            if roles:
                note += "; roles: " + ", ".join(roles)
            wanted.setdefault(name, (SpanKind.EVENT, note))
            fillers.setdefault(name, conf.fillers.get(name, {}))
        for name, colour in _colours(path).items():
            colours.setdefault(name, colour)
        for name, key in _shortcuts(path).items():
            shortcuts.setdefault(name, key)
    if not wanted:
        return None
    taken: set[str] = set(RESERVED_KEYS)
    keys: dict[str, str] = {}
    for name in wanted:  # first the keys brat's own shortcuts give
        given = shortcuts.get(name.lower())
        if given and given not in taken:
            keys[name] = given
            taken.add(given)
    for name in wanted:
        if name in keys:
            continue
        choices = [c.lower() for c in name if c.lower() in _KEY_CHOICES] + list(_KEY_CHOICES)
        free = next((c for c in choices if c not in taken), None)
        if free is None:
            raise ValueError(
                f"{confs[0]}: {len(wanted)} types are more than the {len(_KEY_CHOICES)} free "
                "keys; give a label scheme with --scheme"
            )
        keys[name] = free
        taken.add(free)
    labels = []
    for n, (name, (kind, note)) in enumerate(wanted.items()):
        label_roles = _roles(name, fillers.get(name, {}), wanted, confs[0])
        try:
            labels.append(
                Label(
                    name=name,
                    kind=kind,
                    color=colours.get(name) or _generated_colour(n),
                    key=keys[name],
                    guideline=note,
                    roles=label_roles,
                )
            )
        except ValueError:
            raise ValueError(
                f"{confs[0]}: type {name!r} cannot be a label name; give --scheme"
            ) from None
    return LabelScheme(name=f"brat {confs[0].parent.name}", labels=tuple(labels))


def _roles(
    event: str,
    declared: dict[str, list[str]],
    wanted: dict[str, tuple[SpanKind, str]],
    conf: Path,
) -> tuple[Role, ...]:
    """The roles annotation.conf declares for an event type, as scheme roles: fillers are the
    declared types that are labels (``<ENTITY>`` every entity label, ``<EVENT>`` every event
    label); ``<ANY>`` or no known type leaves the fillers open (any entity label). Keys: the
    first free letter of the role name, else any free letter or digit."""
    roles: list[Role] = []
    taken: set[str] = set(ROLE_RESERVED_KEYS)
    for role, types in declared.items():
        names: list[str] = []
        for t in types:
            if t == "<ENTITY>":
                names += [n for n, (k, _) in wanted.items() if k == SpanKind.ENTITY]
            elif t == "<EVENT>":
                names += [n for n, (k, _) in wanted.items() if k == SpanKind.EVENT]
            elif t in wanted:
                names.append(t)
        if "<ANY>" in types:
            names = []
        choices = [c.lower() for c in role if c.lower() in _KEY_CHOICES] + list(_KEY_CHOICES)
        key = next((c for c in choices if c not in taken), None)
        if key is None:
            raise ValueError(f"{conf}: event type {event} has more roles than free keys")
        taken.add(key)
        try:
            roles.append(
                Role(
                    name=role,
                    key=key,
                    fillers=tuple(dict.fromkeys(names)),
                    guideline=f"brat role of {event} (from {conf}): {'|'.join(types)}",
                )
            )
        except ValueError:
            raise ValueError(
                f"{conf}: role {role!r} of {event} cannot be a role name; give --scheme"
            ) from None
    return tuple(roles)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


class _Bad(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def _partner(path: Path, suffix: str) -> Path | None:
    """The file beside ``path`` with ``suffix`` (in lower, upper or title case), if any."""
    for variant in (suffix, suffix.upper(), suffix.title()):
        candidate = path.with_suffix(variant)
        if candidate != path and candidate.is_file():
            return candidate
    return None


def read(path: Path, ctx: ReadContext) -> Iterator[Record | Problem]:
    """One ``.ann`` file with its ``.txt`` beside it: one record (or the problems found). A
    ``.txt`` named with ``--format brat`` is read with the ``.ann`` beside it."""
    if path.suffix.lower() == ".txt":
        standoff = _partner(path, ".ann")
        if standoff is None:
            yield Problem(
                str(path), f"no {path.stem}.ann beside it: brat keeps the annotations there"
            )
            return
        path = standoff
    name = str(path)
    txt = _partner(path, ".txt")
    if txt is None:
        yield Problem(name, f"no {path.stem}.txt beside it: brat keeps the text there")
        return
    try:
        text, meta = read_text_file(txt, ctx.options.encoding)
        ann = path.read_bytes().decode(ctx.options.encoding)
    except InputError as exc:
        yield from exc.problems
        return
    except UnicodeDecodeError as exc:
        yield Problem(name, f"not valid {ctx.options.encoding} at byte offset {exc.start}")
        return
    except OSError as exc:
        yield Problem(name, f"cannot read: {exc.strerror or exc}")
        return
    problem = check_text(text, str(txt), None)
    if problem:
        yield problem
        return
    conf = find_conf(path)
    declared_roles = _declared_roles(conf) if conf else frozenset()
    try:
        record = _parse(ann, text, meta, path, ctx.scheme, declared_roles)
    except _Bad as exc:
        yield Problem(name, str(exc), exc.line)
        return
    yield record


@dataclass
class _Line:
    number: int
    id: str
    body: str


def _lines(ann: str) -> Iterator[_Line]:
    for number, raw in enumerate(brat_text(ann).split("\n"), start=1):
        if not raw.strip():
            continue
        ident, tab, body = raw.partition("\t")
        if not tab:
            raise _Bad(f"expected an id, a tab and the annotation, got {raw[:60]!r}", number)
        yield _Line(number, ident.strip(), body)


def _parse(
    ann: str,
    text: str,
    meta: dict[str, Any],
    path: Path,
    scheme: LabelScheme,
    declared_roles: frozenset[str],
) -> Record:
    offsets = Offsets(text, bom=meta.get("bom") == "utf-8")
    seen_text = brat_text(text)
    lines = list(_lines(ann))
    spans: list[Span] = []
    t_index: dict[str, int] = {}
    frags: list[list[Any]] = []
    kept: Counter[str] = Counter()
    set_aside: Counter[str] = Counter()
    triggers: dict[str, str] = {}  # E id -> T id
    e_lines: list[_Line] = []
    others: list[_Line] = []
    ids: set[str] = set()
    for line in lines:
        if line.id != "*" and line.id in ids:
            raise _Bad(f"id {line.id} is used twice", line.number)
        ids.add(line.id)
        kind = line.id[:1]
        if kind == "T":
            span, pieces = _text_bound(line, text, seen_text, offsets, scheme)
            t_index[line.id] = len(spans)
            spans.append(span)
            if len(pieces) > 1:
                frags.append([span.start, span.end, span.label, [list(p) for p in pieces]])
                kept[KEPT_FRAGMENTS] += 1
        elif kind == "E":
            fields = line.body.split()
            if not fields or ":" not in fields[0]:
                raise _Bad("an event needs TYPE:TRIGGER first", line.number)
            etype, trigger = fields[0].split(":", 1)
            triggers[line.id] = trigger
            e_lines.append(line)
        elif kind in "RAMN#*":
            others.append(line)
        else:
            raise _Bad(
                f"unknown annotation id {line.id!r} (brat has T, E, R, A, M, N, #, *)", line.number
            )

    def span_of(ref: str, number: int) -> int:
        if ref in t_index:
            return t_index[ref]
        if ref in triggers:
            trig = triggers[ref]
            if trig not in t_index:
                raise _Bad(f"event {ref} has a trigger {trig} that is not a T line", number)
            return t_index[trig]
        raise _Bad(f"{ref} is not an annotation of this file", number)

    relations: list[ImportedRelation] = []
    used_triggers: set[str] = set()
    for line in e_lines:
        fields = line.body.split()
        etype, trigger = fields[0].split(":", 1)
        head = span_of(trigger, line.number)
        trigger_span = spans[head]
        if trigger_span.label != etype:
            raise _Bad(
                f"event type {etype} differs from its trigger's type {trigger_span.label}",
                line.number,
            )
        if trigger_span.kind != SpanKind.EVENT:
            raise _Bad(
                f"event trigger {trigger} has type {trigger_span.label}, an entity label in the "
                "scheme (annotation.conf lists event types under [events])",
                line.number,
            )
        if trigger in used_triggers:
            set_aside[MERGED_EVENTS] += 1
        used_triggers.add(trigger)
        for arg in fields[1:]:
            role, colon, ref = arg.partition(":")
            if not colon or not role or not ref:
                raise _Bad(f"event argument {arg!r} is not ROLE:ID", line.number)
            relations.append(
                ImportedRelation(head, span_of(ref, line.number), _unnumbered(role, declared_roles))
            )
    extras: dict[str, list[Any]] = {}
    r_lines = {o.id: o for o in others if o.id[:1] == "R"}

    def target(ref: str, number: int) -> dict[str, Any]:
        return _target(ref, number, t_index, triggers, spans, r_lines)

    for line in others:
        kind = line.id[:1]
        if kind == "R":
            fields = line.body.split()
            if len(fields) != 3:
                raise _Bad("a relation needs TYPE Arg1:ID Arg2:ID", line.number)
            rtype, arg1, arg2 = fields
            refs = []
            for arg in (arg1, arg2):
                role, colon, ref = arg.partition(":")
                if not colon:
                    raise _Bad(f"relation argument {arg!r} is not ROLE:ID", line.number)
                refs.append((role, ref))
            head, tail = span_of(refs[0][1], line.number), span_of(refs[1][1], line.number)
            relations.append(ImportedRelation(head, tail, rtype))
            if (refs[0][0], refs[1][0]) != ("Arg1", "Arg2") or any(
                ref in triggers for _, ref in refs
            ):
                shape = [[role, "E" if ref in triggers else "T"] for role, ref in refs]
                extras.setdefault("relation_args", []).append(
                    {"relation": _relation_key(spans[head], spans[tail], rtype), "args": shape}
                )
                kept["brat relation argument name(s)"] += 1
            continue
        if kind in "AM":
            fields = line.body.split()
            if len(fields) not in (2, 3):
                raise _Bad("an attribute needs NAME TARGET [VALUE]", line.number)
            item: dict[str, Any] = {"type": fields[0], "target": target(fields[1], line.number)}
            if len(fields) == 3:
                item["value"] = fields[2]
            extras.setdefault("attributes", []).append(item)
        elif kind == "#":
            head_part, _, note = line.body.partition("\t")
            fields = head_part.split()
            if len(fields) != 2:
                raise _Bad("a note needs TYPE TARGET, a tab and the note", line.number)
            extras.setdefault("notes", []).append(
                {"type": fields[0], "target": target(fields[1], line.number), "text": note}
            )
        elif kind == "N":
            head_part, _, shown = line.body.partition("\t")
            fields = head_part.split()
            if len(fields) != 3:
                raise _Bad("a normalisation needs TYPE TARGET DB:ID", line.number)
            extras.setdefault("normalizations", []).append(
                {
                    "type": fields[0],
                    "target": target(fields[1], line.number),
                    "ref": fields[2],
                    "text": shown,
                }
            )
        elif kind == "*":
            fields = line.body.split()
            if len(fields) < 3:
                raise _Bad("an equivalence needs TYPE and two or more ids", line.number)
            extras.setdefault("equivalences", []).append(
                {"type": fields[0], "members": [target(r, line.number) for r in fields[1:]]}
            )
        kept[KEPT[kind]] += 1
    brat_meta: dict[str, Any] = dict(extras)
    if frags:
        brat_meta["fragments"] = frags
    doc_meta = dict(meta)
    doc_meta["format"] = "brat"
    if brat_meta:
        doc_meta[META] = brat_meta
    doc = make_document(path.stem, text, path.with_suffix(".txt").name, doc_meta)
    return Record(doc, spans, str(path), relations=relations, kept=kept, set_aside=set_aside)


@lru_cache(maxsize=32)
def _declared_roles(conf: Path) -> frozenset[str]:
    try:
        return frozenset(parse_conf(conf.read_text(encoding="utf-8")).roles())
    except (OSError, UnicodeDecodeError):
        return frozenset()


def _unnumbered(role: str, declared: frozenset[str]) -> str:
    """``Org-Arg2`` -> ``Org-Arg``: brat's number of a repeated role, unless declared as is."""
    if role in declared:
        return role
    m = _ROLE_NUMBER.match(role)
    return m.group(1) if m else role


def _span_key(span: Span) -> list[Any]:
    return [span.start, span.end, span.label]


def _relation_key(head: Span, tail: Span, role: str) -> list[Any]:
    return [_span_key(head), _span_key(tail), role]


def _target(
    ref: str,
    number: int,
    t_index: dict[str, int],
    triggers: dict[str, str],
    spans: list[Span],
    relations: dict[str, _Line],
) -> dict[str, Any]:
    """A reference to an annotation that survives renumbering: by span key."""
    if ref in t_index:
        return {"T": _span_key(spans[t_index[ref]])}
    if ref in triggers and triggers[ref] in t_index:
        return {"E": _span_key(spans[t_index[triggers[ref]]])}
    if ref in relations:
        fields = relations[ref].body.split()
        if len(fields) == 3:
            head = fields[1].partition(":")[2]
            tail = fields[2].partition(":")[2]
            inner: dict[str, Any] = {}
            for side, r in (("head", head), ("tail", tail)):
                inner[side] = _target(r, number, t_index, triggers, spans, relations)
            return {"R": [inner["head"], inner["tail"], fields[0]]}
    raise _Bad(f"{ref} is not an annotation of this file", number)


def _text_bound(
    line: _Line, text: str, seen: str, offsets: Offsets, scheme: LabelScheme
) -> tuple[Span, list[tuple[int, int]]]:
    head, tab, covered = line.body.partition("\t")
    fields = head.split(None, 1)
    if len(fields) != 2:
        raise _Bad("a text-bound annotation needs TYPE START END", line.number)
    label, where = fields
    pieces: list[tuple[int, int]] = []
    for frag in where.split(";"):
        nums = frag.split()
        if len(nums) != 2 or not all(n.isdigit() for n in nums):
            raise _Bad(f"offsets {where!r} are not START END[;START END]", line.number)
        a, b = int(nums[0]), int(nums[1])
        if not a < b <= offsets.length:
            raise _Bad(
                f"offsets {a} {b} do not fit the text ({offsets.length} characters as brat "
                "counts them)",
                line.number,
            )
        pieces.append((a, b))
    if tab:
        shift = offsets.shift
        expected = " ".join(seen[a - shift : b - shift] for a, b in pieces)
        if _WS.sub(" ", expected).strip() != _WS.sub(" ", covered).strip():
            raise _Bad(
                f"the text field {covered[:40]!r} is not the text at {where} "
                f"({expected[:40]!r}, counting \\r\\n as one character as brat does)",
                line.number,
            )
    ours = [(offsets.from_brat(a), offsets.from_brat(b)) for a, b in pieces]
    declared = scheme.get(label)
    if declared is None:
        raise _Bad(
            f"unknown label {label!r} (the scheme has {', '.join(scheme.names)}; a new project "
            "takes its labels from annotation.conf)",
            line.number,
        )
    start, end = min(a for a, _ in ours), max(b for _, b in ours)
    span = Span.model_construct(
        start=start,
        end=end,
        label=label,
        kind=declared.kind,
        origin="import",
        origin_version="",
        score=None,
        status=SpanStatus.SUGGESTED,
        id=None,
    )
    return span, ours


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


@dataclass
class _Ids:
    """The ids of one ``.ann`` being written, by span key."""

    t: dict[tuple[int, int, str], str] = field(default_factory=dict)
    e: dict[tuple[int, int, str], str] = field(default_factory=dict)
    r: dict[tuple[Any, ...], str] = field(default_factory=dict)

    def resolve(self, target: dict[str, Any]) -> str | None:
        if "T" in target:
            return self.t.get(tuple(target["T"]))
        if "E" in target:
            return self.e.get(tuple(target["E"]))
        if "R" in target:
            head, tail, role = target["R"]
            return self.r.get((_freeze(head), _freeze(tail), role))
        return None


def _freeze(target: dict[str, Any]) -> tuple[Any, ...]:
    kind = next(iter(target))
    return (kind, tuple(target[kind]))


def ann_lines(
    text: str,
    spans: list[Span],
    relations: Iterable[tuple[int, int, str]],
    *,
    meta: dict[str, Any] | None = None,
    notes: list[str] | None = None,
) -> list[str]:
    """The ``.ann`` lines of one document, offsets as brat counts them.

    ``meta`` is the document's ``brat`` meta (fragments, attributes, notes, equivalences,
    normalisations, relation argument names), written back where their targets still exist;
    ``notes`` collects one line per feature whose target is gone.
    """
    meta = meta or {}
    offsets = Offsets(text)
    seen = brat_text(text)
    kept_frags = {(f[0], f[1], f[2]): [tuple(p) for p in f[3]] for f in meta.get("fragments", [])}
    lines: list[str] = []
    ids = _Ids()
    t_of: dict[int, str] = {}
    events: list[tuple[Span, str]] = []
    by_id = {s.id: s for s in spans if s.id is not None}
    for n, span in enumerate(spans, start=1):
        frags = kept_frags.get(span.key) or fragments(text, span.start, span.end)
        theirs = [(offsets.to_brat(a), offsets.to_brat(b)) for a, b in frags]
        where = ";".join(f"{a} {b}" for a, b in theirs)
        covered = " ".join(seen[a:b] for a, b in theirs)
        tid = f"T{n}"
        lines.append(f"{tid}\t{span.label} {where}\t{covered}")
        ids.t.setdefault(span.key, tid)
        if span.id is not None:
            t_of[span.id] = tid
        if span.kind == SpanKind.EVENT:
            events.append((span, tid))
    for n, (span, _) in enumerate(events, start=1):
        ids.e.setdefault(span.key, f"E{n}")
    e_of = {span.id: ids.e[span.key] for span, _ in events if span.id is not None}
    shapes = {
        (_freeze({"T": h}), _freeze({"T": t}), role): args
        for (h, t, role), args in (
            (item["relation"], item["args"]) for item in meta.get("relation_args", [])
        )
    }
    args: dict[int, list[tuple[str, str]]] = {}
    plain: list[tuple[str, tuple[Any, ...]]] = []
    for head, tail, role in relations:
        if head not in by_id or tail not in by_id:
            continue
        head_span, tail_span = by_id[head], by_id[tail]
        key = (_freeze({"T": _span_key(head_span)}), _freeze({"T": _span_key(tail_span)}), role)
        shape = shapes.get(key)
        if head_span.kind == SpanKind.EVENT and shape is None:
            ref = e_of[tail] if tail_span.kind == SpanKind.EVENT else t_of[tail]
            args.setdefault(head, []).append((role_name(role), ref))
            continue
        (role1, kind1), (role2, kind2) = shape or [["Arg1", "T"], ["Arg2", "T"]]
        ref1 = e_of.get(head, t_of[head]) if kind1 == "E" else t_of[head]
        ref2 = e_of.get(tail, t_of[tail]) if kind2 == "E" else t_of[tail]
        plain.append((f"{role_name(role)} {role1}:{ref1} {role2}:{ref2}", key))
    for span, tid in events:
        extra = []
        count: Counter[str] = Counter()
        for role, ref in args.get(span.id, []) if span.id is not None else []:
            count[role] += 1
            extra.append(f"{role}{count[role] if count[role] > 1 else ''}:{ref}")
        lines.append(f"{ids.e[span.key]}\t" + " ".join([f"{span.label}:{tid}", *extra]))
    for n, (rel, key) in enumerate(plain, start=1):
        lines.append(f"R{n}\t{rel}")
        ids.r.setdefault(key, f"R{n}")
    # Relations are looked up by the keys their targets had in the input (T or E).
    for key, rid in list(ids.r.items()):
        (_, h), (_, t), role = key
        for hk in ("T", "E"):
            for tk in ("T", "E"):
                ids.r.setdefault(((hk, h), (tk, t), role), rid)
    lines += _extras(meta, ids, notes if notes is not None else [])
    return lines


def _extras(meta: dict[str, Any], ids: _Ids, notes: list[str]) -> list[str]:
    lines: list[str] = []

    def resolved(target: dict[str, Any], what: str) -> str | None:
        ref = ids.resolve(target)
        if ref is None:
            notes.append(f"{what} left out: its annotation {target} is no longer there")
        return ref

    for n, item in enumerate(meta.get("attributes", []), start=1):
        ref = resolved(item["target"], f"brat attribute {item['type']}")
        if ref is not None:
            value = f" {item['value']}" if "value" in item else ""
            lines.append(f"A{n}\t{item['type']} {ref}{value}")
    for n, item in enumerate(meta.get("notes", []), start=1):
        ref = resolved(item["target"], f"brat note {item['type']}")
        if ref is not None:
            lines.append(f"#{n}\t{item['type']} {ref}\t{item['text']}")
    for n, item in enumerate(meta.get("normalizations", []), start=1):
        ref = resolved(item["target"], f"brat normalisation {item['type']}")
        if ref is not None:
            lines.append(f"N{n}\t{item['type']} {ref} {item['ref']}\t{item['text']}")
    for item in meta.get("equivalences", []):
        refs = [ids.resolve(t) for t in item["members"]]
        members = [r for r in refs if r is not None]
        if len(members) < len(refs):
            notes.append(
                f"brat equivalence {item['type']}: {len(refs) - len(members)} member(s) "
                "no longer there"
            )
        if len(members) >= 2:
            lines.append("*\t" + " ".join([item["type"], *members]))
    return lines


def annotation_conf(
    scheme: LabelScheme,
    event_roles: set[str],
    relation_roles: set[str],
    *,
    equivalences: set[str] | None = None,
    attributes: dict[str, set[str]] | None = None,
) -> str:
    """Our scheme as brat's types; roles, relation types, equivalence types and attributes as the
    exported documents use them (brat flags what its configuration does not declare)."""
    args = ", ".join(f"{r}*:<ENTITY>|<EVENT>" for r in sorted(event_roles))
    events = [f"{lab.name}\t{args}" if args else lab.name for lab in scheme.of_kind(SpanKind.EVENT)]
    relations = [f"{r}\tArg1:<ANY>, Arg2:<ANY>" for r in sorted(relation_roles)]
    relations += [
        f"{r}\tArg1:<ANY>, Arg2:<ANY>, <REL-TYPE>:symmetric-transitive"
        for r in sorted(equivalences or ())
    ]
    declared = [
        f"{name}\tArg:<ANY>" + (f", Value:{'|'.join(sorted(values))}" if values else "")
        for name, values in sorted((attributes or {}).items())
    ]
    # Our spans may overlap; brat refuses overlapping spans unless told otherwise.
    relations.append("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>")
    sections = [
        f"# Generated by annotator export from the label scheme {scheme.name!r}.",
        "[entities]",
        *(lab.name for lab in scheme.of_kind(SpanKind.ENTITY)),
        "",
        "[relations]",
        *relations,
        "",
        "[events]",
        *events,
        "",
        "[attributes]",
        *declared,
        "",
    ]
    return "\n".join(sections)


def visual_conf(scheme: LabelScheme) -> str:
    lines = ["[labels]", *(f"{lab.name} | {lab.name}" for lab in scheme.labels), "", "[drawing]"]
    lines += [f"{lab.name}\tbgColor:{lab.color}" for lab in scheme.labels]
    return "\n".join(lines) + "\n"


def check_types(scheme: LabelScheme) -> None:
    """brat types cannot hold white space (nor ``:`` or ``;``, which its lines use): refuse."""
    bad = [lab.name for lab in scheme.labels if not _TYPE.match(lab.name)]
    if bad:
        raise ExportError(
            "brat types cannot hold white space, ':' or ';'; rename these labels first: "
            + ", ".join(repr(b) for b in bad)
        )


def write(items: Iterable[Item], out: Outputs, ctx: Context, report: ExportReport) -> None:
    check_types(ctx.scheme)
    used: set[str] = set()
    event_roles: set[str] = set()
    relation_roles: set[str] = set()
    equivalences: set[str] = set()
    attributes: dict[str, set[str]] = {}
    for part, doc, spans in items:
        report.count(part, spans)
        folder = "" if part == WHOLE else f"{part}/"
        base = safe_name(doc.id)
        name, n = base, 1
        while f"{folder}{name}" in used:
            n += 1
            name = f"{base}-{n}"
        used.add(f"{folder}{name}")
        kinds = {s.id: s.kind for s in spans if s.id is not None}
        rels = [(r.head, r.tail, r.role) for r in ctx.relations(doc.id)]
        for head, tail, role in rels:
            if head in kinds and tail in kinds:
                roles = event_roles if kinds[head] == SpanKind.EVENT else relation_roles
                roles.add(role_name(role))
        out.write_text(f"{folder}{name}.txt", doc.text)
        notes: list[str] = []
        meta = doc.meta.get(META) if isinstance(doc.meta.get(META), dict) else None
        lines = ann_lines(doc.text, spans, rels, meta=meta, notes=notes)
        for item in (meta or {}).get("equivalences", []):
            equivalences.add(item["type"])
        for item in (meta or {}).get("attributes", []):
            values = attributes.setdefault(item["type"], set())
            if "value" in item:
                values.add(item["value"])
        report.left_out += [f"{doc.id}: {note}" for note in notes]
        out.write_text(f"{folder}{name}.ann", "".join(f"{line}\n" for line in lines))
    conf = annotation_conf(
        ctx.scheme, event_roles, relation_roles, equivalences=equivalences, attributes=attributes
    )
    out.write_text("annotation.conf", conf)
    out.write_text("visual.conf", visual_conf(ctx.scheme))
