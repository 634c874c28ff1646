"""``python -m annotator.cli``: the same as the ``annotator`` command."""

from annotator.cli import main

raise SystemExit(main())
