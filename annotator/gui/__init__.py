"""The desktop window (PySide6 only). Widgets show the store through :mod:`annotator.session`;
every edit is a :class:`annotator.gui.commands.SessionCommand` on one ``QUndoStack``."""
