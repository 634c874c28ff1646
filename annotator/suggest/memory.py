"""Memory of accepted spans: what annotators accepted once is suggested wherever it recurs.

When an annotator accepts or adds a span, the same surface string elsewhere in the corpus becomes a
suggestion with that label (INCEpTION's string-matching recommender). Its score says how often the
team accepted that string with that label versus rejected it or accepted it with another label of
the same kind, ``(accepted + 1) / (accepted + against + 2)``; below
:attr:`MemorySettings.min_score` (a string rejected more often than accepted) it is not suggested
any more, and a string rejected often is vetoed for every model (:mod:`annotator.suggest.combine`).
Spelling variants found by fuzzy matching (Lukaschenko / Lukashenko, Kellogg / Kellogs) are
suggested with a lower score, never high enough to override a model; a variant that has decisions
of its own is judged by those instead. A suggestion an annotator rejected is not offered to that
annotator at that place again: :meth:`annotator.session.Session.spans` hides suggestions whose key
they decided.

Memory suggestions are stored like any model's, with origin ``memory``; :func:`refresh_memory`
recomputes them for the documents not yet finished by everyone, after decisions change. A
document's version is a digest of its memory spans, so a document whose memory suggestions did not
change is not rewritten, and each document keeps one memory run at most (see ADR 0009).

During double annotation the team's memory would carry one annotator's choices to the other as
suggestions (and inflate their agreement), so the memory can be kept per annotator: the project
value ``memory_scope`` is ``team``, ``annotator`` or ``auto`` (unset: ``auto``, per annotator as
soon as two annotators have worked on the same document, see :func:`memory_owner`). Each
annotator's own memory is stored under ``memory@<name>`` (ADR 0024).

Matching is by tokens: a match starts and ends at word boundaries, where a hyphen between letters
joins words ("EU" is not found inside "EU-Kommission"). No spaCy here; rapidfuzz does the
fuzzy part.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.model import DocStatus, LabelScheme, Span, SpanKind, SpanStatus
from annotator.suggest.combine import MEMORY_ORIGIN, OVERRIDE_SCORE, VETO_ORIGIN, own_origin

if TYPE_CHECKING:
    from annotator.store import Store

VARIANT_MAX_SCORE = round(OVERRIDE_SCORE - 0.01, 2)
HYPHENS = "-‐‑"
TOKEN = re.compile(r"\w+(?:[-‐‑]\w+)*")


@dataclass(frozen=True)
class MemorySettings:
    """How eagerly the memory suggests."""

    min_score: float = 0.45
    """Below this a string is not suggested: with the default, once rejected more often than
    accepted (1 accepted and 2 rejected give 0.4)."""
    fuzzy: bool = True
    fuzzy_cutoff: float = 85.0
    """rapidfuzz ``fuzz.ratio`` a variant needs (Kellogg / Kellogs: 85.7, Lukaschenko /
    Lukashenko: 95.2)."""
    fuzzy_factor: float = 0.8
    """A variant's score is the string's score times this times ratio / 100."""
    min_fuzzy_length: int = 5
    """Shorter strings get no variants: one letter changes a short name into another name."""
    veto_min_rejected: int = 2
    """A string with a label rejected at least this often, and scoring below ``min_score``, is
    vetoed: no model suggests it with that label any more (see :mod:`annotator.suggest.combine`)."""

    def digest(self) -> str:
        return repr(
            (
                self.min_score,
                self.fuzzy,
                self.fuzzy_cutoff,
                self.fuzzy_factor,
                self.min_fuzzy_length,
                self.veto_min_rejected,
            )
        )


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _joined_before(text: str, start: int) -> bool:
    """Whether ``text[start]`` continues a word begun before it (letter or letter-hyphen)."""
    if start == 0:
        return False
    before = text[start - 1]
    if _is_word(before):
        return True
    return before in HYPHENS and start >= 2 and _is_word(text[start - 2])


def _joined_after(text: str, end: int) -> bool:
    if end >= len(text):
        return False
    after = text[end]
    if _is_word(after):
        return True
    return after in HYPHENS and end + 1 < len(text) and _is_word(text[end + 1])


def score_of(accepted: int, rejected: int) -> float:
    """Laplace-smoothed share of acceptances: 1 acceptance gives 0.67, 1 of each 0.5."""
    return (accepted + 1) / (accepted + rejected + 2)


@dataclass(frozen=True)
class Entry:
    """What the team decided about one surface string with one label."""

    surface: str
    label: str
    kind: SpanKind
    accepted: int
    rejected: int
    other: int = 0
    """Acceptances of the same string with another label of the same kind: evidence against this
    label ("Gespräch" accepted as PHONE_CALL five times and as NEGOTIATION three times)."""

    @property
    def score(self) -> float:
        return score_of(self.accepted, self.rejected + self.other)


class Memory:
    """Counts of accepted and rejected decisions per (surface string, label)."""

    def __init__(self, settings: MemorySettings | None = None) -> None:
        self.settings = settings or MemorySettings()
        self._counts: dict[tuple[str, str], list[int]] = {}
        self._kinds: dict[str, SpanKind] = {}

    @classmethod
    def from_store(
        cls,
        store: Store,
        *,
        annotator: str | None = None,
        settings: MemorySettings | None = None,
    ) -> Memory:
        """The memory of every annotator's decisions (or of one annotator's)."""
        memory = cls(settings)
        for surface, label, kind, status, n in store.decided_surfaces(annotator=annotator):
            memory.add(surface, label, SpanKind(kind), SpanStatus(status), n)
        return memory

    def add(self, surface: str, label: str, kind: SpanKind, status: SpanStatus, n: int = 1) -> None:
        """Count ``n`` decisions; a suggested status counts nothing."""
        if status == SpanStatus.SUGGESTED or not surface.strip():
            return
        counts = self._counts.setdefault((surface, label), [0, 0])
        counts[0 if status == SpanStatus.ACCEPTED else 1] += n
        self._kinds[label] = kind

    def __len__(self) -> int:
        return len(self._counts)

    def knows(self, surface: str) -> bool:
        """Whether anybody decided anything about this exact string (with any label)."""
        return surface in self._surfaces()

    def _surfaces(self) -> set[str]:
        return {surface for surface, _ in self._counts}

    def entries(self) -> list[Entry]:
        accepted_by_kind: dict[tuple[str, SpanKind], int] = {}
        for (surface, label), (a, _) in self._counts.items():
            key = (surface, self._kinds[label])
            accepted_by_kind[key] = accepted_by_kind.get(key, 0) + a
        return [
            Entry(
                surface,
                label,
                self._kinds[label],
                a,
                r,
                accepted_by_kind[(surface, self._kinds[label])] - a,
            )
            for (surface, label), (a, r) in sorted(self._counts.items())
        ]

    def suggestible(self) -> list[Entry]:
        """Per surface string, the label with the best score, if it was accepted at least once
        and its score reaches ``min_score``."""
        best: dict[str, Entry] = {}
        for entry in self.entries():
            if entry.accepted == 0 or entry.score < self.settings.min_score:
                continue
            old = best.get(entry.surface)
            if old is None or (entry.score, entry.accepted) > (old.score, old.accepted):
                best[entry.surface] = entry
        return sorted(best.values(), key=lambda e: e.surface)

    def vetoed(self) -> list[Entry]:
        """(String, label) pairs the team rejected often and accepted seldom: no suggester may
        offer them any more."""
        return [
            e
            for e in self.entries()
            if e.rejected >= self.settings.veto_min_rejected and e.score < self.settings.min_score
        ]

    @property
    def version(self) -> str:
        """Changes whenever a count or a setting changes."""
        digest = hashlib.sha256(self.settings.digest().encode())
        for (surface, label), (a, r) in sorted(self._counts.items()):
            digest.update(f"{surface}\x1f{label}\x1f{a}\x1f{r}\x1e".encode("utf-8", "replace"))
        return f"m-{digest.hexdigest()[:12]}"


class CorpusIndex:
    """Where each word occurs, and the capitalised n-grams that fuzzy matching looks through.

    Built once per corpus (documents never change; new ones make a new index) and kept, so a
    refresh only looks at the documents holding a remembered string's first word.
    """

    MAX_NGRAM = 4

    def __init__(self, docs: Iterable[tuple[str, str]]) -> None:
        self.ids: list[str] = []
        self.texts: list[str] = []
        self._by_word: dict[str, list[int]] = {}
        self._ngrams: dict[int, set[str]] = {}
        self._choices: dict[int, list[str]] = {}
        self._variants: dict[tuple[str, float, int], list[tuple[str, float]]] = {}
        self._lock = threading.Lock()
        for doc_id, text in docs:
            self._add(doc_id, text)
        self._choices = {n: sorted(grams) for n, grams in self._ngrams.items()}

    def _add(self, doc_id: str, text: str) -> None:
        ordinal = len(self.ids)
        self.ids.append(doc_id)
        self.texts.append(text)
        tokens = [(m.start(), m.end()) for m in TOKEN.finditer(text)]
        for word in {text[s:e] for s, e in tokens}:
            self._by_word.setdefault(word, []).append(ordinal)
        # runs of capitalised words separated by single spaces: the names fuzzy matching sees
        run: list[tuple[int, int]] = []
        for start, end in [*tokens, (-1, -1)]:
            capital = start >= 0 and text[start].isupper()
            if capital and run and text[run[-1][1] : start] == " ":
                run.append((start, end))
            else:
                self._add_run(text, run)
                run = [(start, end)] if capital else []

    def _add_run(self, text: str, run: list[tuple[int, int]]) -> None:
        for i in range(len(run)):
            for n in range(1, min(self.MAX_NGRAM, len(run) - i) + 1):
                self._ngrams.setdefault(n, set()).add(text[run[i][0] : run[i + n - 1][1]])

    def __len__(self) -> int:
        return len(self.ids)

    def occurrences(
        self, surface: str, *, only: set[int] | None = None
    ) -> Iterator[tuple[int, int, int]]:
        """(document ordinal, start, end) of every whole-word occurrence of ``surface``."""
        first = TOKEN.search(surface)
        if first is None:
            return
        check_start = _is_word(surface[0])
        check_end = _is_word(surface[-1])
        for ordinal in self._by_word.get(first.group(), ()):
            if only is not None and ordinal not in only:
                continue
            text = self.texts[ordinal]
            at = text.find(surface)
            while at >= 0:
                end = at + len(surface)
                if not (check_start and _joined_before(text, at)) and not (
                    check_end and _joined_after(text, end)
                ):
                    yield ordinal, at, end
                at = text.find(surface, at + 1)

    def variants(self, surface: str, *, cutoff: float, min_length: int) -> list[tuple[str, float]]:
        """Capitalised n-grams of the corpus spelled like ``surface`` (rapidfuzz ``ratio`` at
        least ``cutoff``, same first letter, same number of words), best first; cached."""
        key = (surface, cutoff, min_length)
        with self._lock:
            cached = self._variants.get(key)
        if cached is not None:
            return cached
        found: list[tuple[str, float]] = []
        n = len(TOKEN.findall(surface))
        if len(surface) >= min_length and surface[:1].isupper() and n in self._choices:
            from rapidfuzz import fuzz, process

            for choice, ratio, _ in process.extract(
                surface,
                self._choices[n],
                scorer=fuzz.ratio,
                score_cutoff=cutoff,
                limit=None,
            ):
                if choice != surface and choice[:1] == surface[:1]:
                    found.append((choice, float(ratio)))
            found.sort(key=lambda v: (-v[1], v[0]))
        with self._lock:
            self._variants[key] = found
        return found


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    label: str
    kind: SpanKind
    score: float


def memory_spans(
    memory: Memory,
    index: CorpusIndex,
    *,
    ordinals: Iterable[int] | None = None,
    scheme: LabelScheme | None = None,
    version: str = "",
) -> dict[int, list[Span]]:
    """The memory's suggestions for some documents of the index (all when None), by ordinal.

    Exact matches score as their entry; variants lower. Where matches of one kind overlap, the
    longest wins (then the best score), so "Alexander Lukaschenko" beats "Lukaschenko" inside it.
    """
    settings = memory.settings
    only = set(ordinals) if ordinals is not None else None
    found: dict[int, dict[tuple[int, int, str], _Candidate]] = {}

    def offer(ordinal: int, start: int, end: int, entry: Entry, score: float) -> None:
        per_doc = found.setdefault(ordinal, {})
        key = (start, end, entry.label)
        old = per_doc.get(key)
        if old is None or old.score < score:
            per_doc[key] = _Candidate(start, end, entry.label, entry.kind, score)

    known = memory._surfaces()
    for entry in memory.suggestible():
        if scheme is not None and entry.label not in scheme:
            continue
        for ordinal, start, end in index.occurrences(entry.surface, only=only):
            offer(ordinal, start, end, entry, entry.score)
        if not settings.fuzzy:
            continue
        for variant, ratio in index.variants(
            entry.surface, cutoff=settings.fuzzy_cutoff, min_length=settings.min_fuzzy_length
        ):
            if variant in known:
                continue  # judged by its own decisions
            # a variant never reaches the level at which memory overrides a model
            score = min(entry.score * settings.fuzzy_factor * ratio / 100.0, VARIANT_MAX_SCORE)
            for ordinal, start, end in index.occurrences(variant, only=only):
                offer(ordinal, start, end, entry, score)

    out: dict[int, list[Span]] = {}
    for ordinal, per_doc in found.items():
        kept: list[_Candidate] = []
        taken: dict[SpanKind, list[tuple[int, int]]] = {}
        for c in sorted(per_doc.values(), key=lambda c: (c.start - c.end, -c.score, c.start)):
            spans = taken.setdefault(c.kind, [])
            if any(c.start < e and s < c.end for s, e in spans):
                continue
            spans.append((c.start, c.end))
            kept.append(c)
        out[ordinal] = sorted(
            (
                Span(
                    start=c.start,
                    end=c.end,
                    label=c.label,
                    kind=c.kind,
                    origin=MEMORY_ORIGIN,
                    origin_version=version,
                    score=round(c.score, 4),
                    status=SpanStatus.SUGGESTED,
                )
                for c in kept
            ),
            key=lambda s: (s.start, s.end, s.label),
        )
    return out


def veto_spans(
    memory: Memory,
    index: CorpusIndex,
    *,
    ordinals: Iterable[int] | None = None,
    scheme: LabelScheme | None = None,
    version: str = "",
) -> dict[int, list[Span]]:
    """Veto spans (origin :data:`VETO_ORIGIN`) at every whole-word occurrence of a vetoed string,
    by ordinal: the places where no model may suggest that string with that label."""
    only = set(ordinals) if ordinals is not None else None
    out: dict[int, set[tuple[int, int, str, SpanKind]]] = {}
    for entry in memory.vetoed():
        if scheme is not None and entry.label not in scheme:
            continue
        for ordinal, start, end in index.occurrences(entry.surface, only=only):
            out.setdefault(ordinal, set()).add((start, end, entry.label, entry.kind))
    return {
        ordinal: [
            Span(
                start=start,
                end=end,
                label=label,
                kind=kind,
                origin=VETO_ORIGIN,
                origin_version=version,
                score=0.0,
                status=SpanStatus.SUGGESTED,
            )
            for start, end, label, kind in sorted(keys, key=lambda k: (k[0], k[1], k[2]))
        ]
        for ordinal, keys in out.items()
    }


class MemorySuggester:
    """The memory as a :class:`annotator.suggest.base.Suggester` over any texts."""

    name = MEMORY_ORIGIN

    def __init__(self, memory: Memory, *, scheme: LabelScheme | None = None) -> None:
        self.memory = memory
        self.scheme = scheme

    @property
    def version(self) -> str:
        return self.memory.version

    def suggest(
        self, texts: Sequence[str], *, batch_size: int = 64, n_process: int = 1
    ) -> Iterator[list[Span]]:
        index = CorpusIndex((str(i), text) for i, text in enumerate(texts))
        spans = memory_spans(self.memory, index, scheme=self.scheme, version=self.version)
        for i in range(len(texts)):
            yield spans.get(i, [])


# ---- whose memory: the team's or each annotator's own ----------------------------------------

MEMORY_SCOPE_KEY = "memory_scope"
SCOPES = ("auto", "team", "annotator")


def memory_scope(store: Store) -> str:
    """The project's setting: ``auto`` (unset), ``team`` or ``annotator``."""
    value = store.project_value(MEMORY_SCOPE_KEY) or "auto"
    return value if value in SCOPES else "auto"


def set_memory_scope(store: Store, scope: str) -> None:
    if scope not in SCOPES:
        raise ValueError(f"memory scope {scope!r}: one of {', '.join(SCOPES)}")
    store.set_project_value(MEMORY_SCOPE_KEY, scope)


def memory_per_annotator(store: Store) -> bool:
    """Whether the project keeps the memory per annotator: set so, or (``auto``) two or more
    annotators have worked on the same document."""
    scope = memory_scope(store)
    return scope == "annotator" or (scope == "auto" and store.has_shared_documents())


def memory_owner(store: Store, doc_id: str, annotator: str) -> str | None:
    """Whose memory ``annotator`` sees on a document: their own (their name) or the team's
    (None). With ``auto`` it is their own as soon as the project is double-annotated, and on a
    document someone else has worked on even before that (the first document two people share
    would otherwise show the second one the first one's spans)."""
    scope = memory_scope(store)
    if scope == "team":
        return None
    if scope == "annotator" or store.has_shared_documents():
        return annotator
    return annotator if any(a != annotator for a in store.annotators_of(doc_id)) else None


# ---- the project's memory suggestions -----------------------------------------------------

_INDEXES: weakref.WeakKeyDictionary[Store, tuple[tuple[int, str], CorpusIndex]] = (
    weakref.WeakKeyDictionary()
)
_BY_PATH: dict[str, tuple[tuple[int, str], CorpusIndex]] = {}
_INDEX_LOCK = threading.Lock()


def corpus_index(store: Store) -> CorpusIndex:
    """The index of the project's documents, built once per process and corpus."""
    n = store.count_documents()
    last = store.document_ids(offset=n - 1, limit=1) if n else []
    stamp = (n, last[0] if last else "")
    path = str(Path(store.path).resolve()) if store.path is not None else None
    with _INDEX_LOCK:
        cached = _BY_PATH.get(path) if path is not None else _INDEXES.get(store)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    index = CorpusIndex((doc.id, doc.text) for doc in store.iter_documents())
    with _INDEX_LOCK:
        if path is not None:
            _BY_PATH.clear()  # one project at a time is what a process works on
            _BY_PATH[path] = (stamp, index)
        else:
            _INDEXES[store] = (stamp, index)
    return index


@dataclass
class RefreshReport:
    """What :func:`refresh_memory` did."""

    version: str
    documents: int = 0
    changed: list[str] = field(default_factory=list)
    spans: int = 0
    vetoes: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"memory {self.version}: {self.spans} suggestions and {self.vetoes} vetoes in "
            f"{self.documents} documents, "
            f"{len(self.changed)} changed ({self.seconds:.2f} s)"
        )


def _run_version(spans: Sequence[Span]) -> str:
    digest = hashlib.sha256()
    for s in spans:
        digest.update(f"{s.start}:{s.end}:{s.label}:{s.score}\x1e".encode())
    return f"m-{digest.hexdigest()[:12]}"


def _replace_runs(
    store: Store,
    origin: str,
    index: CorpusIndex,
    ordinals: Sequence[int],
    found: dict[int, list[Span]],
) -> list[str]:
    """Write one origin's new runs for the documents whose spans changed (in the caller's
    transaction); the ids of those documents."""
    current = store.suggestion_run_versions(origin)
    stale: list[str] = []
    fresh: list[tuple[str, list[Span], str]] = []
    for ordinal in ordinals:
        doc_id = index.ids[ordinal]
        doc_spans = found.get(ordinal, [])
        have = current.get(doc_id, set())
        if not doc_spans:
            if have:
                stale.append(doc_id)
            continue
        version = _run_version(doc_spans)
        if have == {version}:
            continue
        doc_spans = [s.model_copy(update={"origin_version": version}) for s in doc_spans]
        fresh.append((doc_id, doc_spans, version))
    store.delete_suggestion_runs(origin, [*stale, *(d for d, _, _ in fresh)])
    for doc_id, doc_spans, version in fresh:
        store.save_suggestions([(doc_id, doc_spans)], origin=origin, version=version)
    return [*stale, *(d for d, _, _ in fresh)]


def refresh_memory(
    store: Store,
    *,
    doc_ids: Sequence[str] | None = None,
    annotator: str | None = None,
    settings: MemorySettings | None = None,
    per_annotator: bool | None = None,
) -> RefreshReport:
    """Recompute the memory suggestions of some documents (default: every document not yet done
    or skipped by every annotator) from the decisions as they are now, in one transaction.

    The team's memory (``annotator``: learnt from that annotator's decisions only) and, with
    the memory per annotator, each annotator's own, from their decisions alone, for the
    documents they have not finished (``annotator`` and ``per_annotator=True``: only theirs).
    ``per_annotator`` None follows the project (:func:`memory_per_annotator`; in ``auto`` mode
    with two or more annotators, both are kept until a document is shared).

    The vetoes (strings the team rejected often, see :mod:`annotator.suggest.combine`) are
    refreshed with them, as runs of origin ``memory:veto``. Only documents whose memory spans
    changed are written; their old run is replaced. Cheap enough to call after each document
    marked done (see the learning benchmark).
    """
    t0 = time.perf_counter()
    if per_annotator is not None:
        team, own = not per_annotator, per_annotator
    else:
        team = not memory_per_annotator(store)
        # before the first shared document, an annotator who opens a document someone else
        # worked on already sees their own memory there (memory_owner): keep it ready
        own = not team or (memory_scope(store) == "auto" and len(store.annotators()) >= 2)
    index = corpus_index(store)
    ordinal_of = {doc_id: i for i, doc_id in enumerate(index.ids)}
    # (memory origin, veto origin, whose decisions, target documents) per memory to refresh
    jobs: list[tuple[str, str, str | None, list[str]]] = []
    if team:
        targets = list(doc_ids) if doc_ids is not None else store.unfinished_documents()
        jobs.append((MEMORY_ORIGIN, VETO_ORIGIN, annotator, targets))
    if own:
        wanted = set(doc_ids) if doc_ids is not None else None
        for name in [annotator] if annotator is not None and not team else store.annotators():
            open_docs = [
                r[0]
                for r in store.document_rows(name, statuses=(DocStatus.TODO, DocStatus.IN_PROGRESS))
                if wanted is None or r[0] in wanted
            ]
            jobs.append(
                (own_origin(MEMORY_ORIGIN, name), own_origin(VETO_ORIGIN, name), name, open_docs)
            )
    versions: list[str] = []
    report = RefreshReport(version="")
    changed: set[str] = set()
    with store.transaction():
        for memory_origin, veto_origin, whose, targets in jobs:
            memory = Memory.from_store(store, annotator=whose, settings=settings)
            versions.append(memory.version)
            ordinals = [ordinal_of[d] for d in targets if d in ordinal_of]
            spans = memory_spans(memory, index, ordinals=ordinals, scheme=store.scheme)
            vetoes = veto_spans(memory, index, ordinals=ordinals, scheme=store.scheme)
            report.documents += len(ordinals)
            report.spans += sum(len(spans.get(o, [])) for o in ordinals)
            report.vetoes += sum(len(vetoes.get(o, [])) for o in ordinals)
            for origin, found in ((memory_origin, spans), (veto_origin, vetoes)):
                changed.update(_replace_runs(store, origin, index, ordinals, found))
        if not team:  # the team's memory from before the documents were shared goes
            for origin in (MEMORY_ORIGIN, VETO_ORIGIN):
                stale = sorted(store.suggestion_run_versions(origin))
                store.delete_suggestion_runs(origin, stale)
                changed.update(stale)
    report.version = versions[0] if len(versions) == 1 else _digest_of(versions)
    report.changed = sorted(changed)
    report.seconds = time.perf_counter() - t0
    return report


def _digest_of(versions: Sequence[str]) -> str:
    return "m-" + hashlib.sha256("\x1e".join(versions).encode()).hexdigest()[:12]


def refresh_project_memory(
    path: str | Path, *, doc_ids: Sequence[str] | None = None
) -> RefreshReport:
    """:func:`refresh_memory` on a project file through a connection of its own: what the window
    runs in a worker thread after a document is marked done (the window's own connection stays
    with the UI thread)."""
    from annotator.store import Store

    with Store.open(path, create=False) as store:
        return refresh_memory(store, doc_ids=doc_ids)
