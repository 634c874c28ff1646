"""One module per CLI command; see :mod:`annotator.cli`."""
