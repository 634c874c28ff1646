"""Training of the built-in German entity model (see training/README.md)."""
