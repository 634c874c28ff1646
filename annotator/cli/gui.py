"""``annotator gui``: the annotate window (or, with --screenshot, a picture of it)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from annotator.cli import annotator_name
from annotator.errors import UserError

NAME = "gui"
HELP = (
    "Open the annotate window on the project: review model suggestions and label spans with "
    "the keyboard (F1 lists the keys). --screenshot renders the window to a PNG and exits."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--annotator",
        type=annotator_name,
        metavar="NAME",
        help="your name (default: the project's last annotator, else your system user name; "
        "remembered per project, changeable in the window with Ctrl+Shift+N)",
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
        "--uncertain-first",
        action="store_true",
        help="go to the open document the model is least sure about next, instead of the next "
        "in import order (Ctrl+U in the window switches)",
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


X11_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}
"""System libraries Qt's X11 plugin loads (soname: Debian package). PyPI's Qt wheels do not ship
them; without them Qt aborts the process instead of raising an error we could report."""


def missing_x11_packages() -> list[str]:
    """Debian packages of the X11 libraries Qt needs that this machine lacks."""
    import ctypes

    missing = []
    for soname, package in X11_LIBRARIES.items():
        try:
            ctypes.CDLL(soname)
        except OSError:
            missing.append(package)
    return missing


def _uses_x11() -> bool:
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    return (
        sys.platform == "linux"
        and platform in ("", "xcb")
        and bool(os.environ.get("DISPLAY"))
        and not (platform == "" and os.environ.get("WAYLAND_DISPLAY"))
    )


def run(args: argparse.Namespace) -> int:
    if args.screenshot is not None and args.screenshot.exists() and not args.screenshot.is_file():
        raise UserError(
            f"--screenshot {args.screenshot}: a folder or other non-file is there; give a file "
            f"name such as {args.screenshot / 'window.png'}"
        )
    if args.screenshot is None and not has_display():
        print(
            "annotator gui: no display (DISPLAY/WAYLAND_DISPLAY unset); run it in a desktop "
            "session, under 'xvfb-run annotator gui', or use --screenshot FILE.png",
            file=sys.stderr,
        )
        return 2
    if args.screenshot is None and _uses_x11():
        missing = missing_x11_packages()
        if missing:
            print(
                "annotator gui: Qt needs system libraries to open a window on X11; install them "
                f"(Debian/Ubuntu: apt-get install {' '.join(missing)}), or use --screenshot",
                file=sys.stderr,
            )
            return 2
    from annotator.gui.app import run as run_gui

    return run_gui(
        args.db,
        annotator=args.annotator,
        screenshot=args.screenshot,
        document=args.document,
        review=args.review,
        uncertain_first=args.uncertain_first,
    )
