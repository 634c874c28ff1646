"""The errors a person can fix, apart from the program's own faults.

Every module raises a subclass of :class:`UserError` for a mistake in what it was given (a file,
an option, a project in a state that does not allow the command): a scheme file
(``model.SchemeError``), a span or argument (``SpanError``, ``ArgumentError``), a project file
(``store.StoreError``), bad input (``formats.reading.InputError``), an export
(``formats.ExportError``), a format name, a merge, a training run. The CLI catches ``UserError``
once and prints what :meth:`UserError.report` says (one line, ``annotator COMMAND: error:
MESSAGE``) with :attr:`UserError.exit_code`. Anything else is a fault of the program and keeps its
traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """A mistake the user can fix; printed as one line, without a traceback."""

    exit_code = 2
    """What the CLI exits with."""

    def report(self, command: str) -> list[str]:
        """The lines the CLI prints for it (to stderr) when it ends ``annotator COMMAND``."""
        return [f"annotator {command}: error: {self}"]


class StaleEditError(UserError):
    """Someone else changed this annotator's document since this session last read it."""
