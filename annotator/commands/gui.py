"""``annotator gui``: the annotate window (or, with --screenshot, a picture of it)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

NAME = "gui"
HELP = (
    "Open the annotate window on the project: review model suggestions and label spans with "
    "the keyboard (F1 lists the keys). --screenshot renders the window to a PNG and exits."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--annotator", metavar="NAME", help="your name (remembered; asked on the first start)"
    )
    parser.add_argument(
        "--document", metavar="ID", help="open this document (default: the last or first open one)"
    )
    parser.add_argument(
        "--screenshot",
        metavar="FILE.png",
        type=Path,
        help="render the window offscreen with the document and its suggestions to FILE.png, exit",
    )
    parser.add_argument(
        "--review",
        action="store_true",
        help="open the review window: adjudicate documents two or more annotators marked done "
        "(--annotator is then the reviewer's name)",
    )


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return True  # the person chose a platform (offscreen, vnc, ...)
    if sys.platform != "linux":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run(args: argparse.Namespace) -> int:
    if args.screenshot is None and not has_display():
        print(
            "annotator gui: no display (DISPLAY/WAYLAND_DISPLAY unset); run it in a desktop "
            "session, under 'xvfb-run annotator gui', or use --screenshot FILE.png",
            file=sys.stderr,
        )
        return 2
    if args.review:
        from annotator.gui.review_window import run_review

        return run_review(
            args.db, reviewer=args.annotator, screenshot=args.screenshot, document=args.document
        )
    from annotator.gui.app import run as run_gui

    return run_gui(
        args.db, annotator=args.annotator, screenshot=args.screenshot, document=args.document
    )
