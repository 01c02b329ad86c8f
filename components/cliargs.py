"""Argument checking shared by every command: each bad argument is one line on stderr and exit 2,
before any work (no usage block, no traceback)."""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import NoReturn

from .urlstate import strict_iso_date


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line: ``python -m components cite: argument --nth: …``.

    Sub-command parsers inherit it (``add_subparsers`` uses the parent's class)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def positive_int(value: str) -> int:
    """A whole number ≥ 1 (``--nth``, ``--page``)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {number}")
    return number


def positive_float(value: str) -> float:
    """A number of seconds > 0 (``serve --drain``)."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not number > 0 or number == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number above 0, got {value}")
    return number


def iso_date(value: str) -> dt.date:
    """Exactly ``YYYY-MM-DD`` (``fromisoformat`` alone would also take ``20170601`` and ``2017-W23-1``)."""
    try:
        return strict_iso_date(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {value!r}") from None


def output_file(value: str) -> Path:
    """A file path to write: not an existing folder, in a folder that exists."""
    path = Path(value)
    if not value.strip():
        raise argparse.ArgumentTypeError("empty; give a file path")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{value} is a folder; give a file path such as {path / 'atlas-export.json'}")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"{value}: the folder {path.parent} does not exist")
    return path
