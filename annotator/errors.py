"""The errors a person can fix, apart from the program's own faults.

Every module raises a subclass of :class:`UserError` for a mistake in what it was given (a file,
an option, a project in a state that does not allow the command). The CLI catches ``UserError``
once, prints ``annotator COMMAND: error: MESSAGE`` on one line and exits with 2. Anything else is
a fault of the program and keeps its traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """A mistake the user can fix; printed as one line, without a traceback."""
