"""annotator: label entity and event spans in text corpora, with suggestions, review and exports."""

__version__ = "0.1.0"
