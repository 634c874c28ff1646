"""Review mode without Qt: adjudication between annotators, agreement figures, the queue.

See ADR 0006. Nothing here changes an annotator's work; gold lives in its own tables.
"""
