"""The desktop windows (PySide6 only). Widgets reach the project only through a session
(:mod:`annotator.session`, :mod:`annotator.review.session`); every edit is one
:class:`annotator.gui.commands.UndoStep` on the window's ``QUndoStack``, pushed by the
span-editing controller both windows share (:mod:`annotator.gui.span_editing`)."""
