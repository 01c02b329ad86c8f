"""Server time per script run, recorded only when ATLAS_PROFILE names a file (for bench/)."""
from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ..settings import SettingsError, current_settings


@contextmanager
def run_timer() -> Iterator[None]:
    """Append ``{"t": end (epoch seconds), "ms": duration, "completed": bool}`` per run to
    $ATLAS_PROFILE (JSON lines). ``completed`` is False when the run was cut short (a newer
    rerun request stops the script with an exception), so such runs can be left out."""
    try:
        target = current_settings().profile
    except SettingsError:  # the app itself shows the message (components/ui/data.py)
        target = None
    start = time.perf_counter()
    completed = False
    try:
        yield
        completed = True
    finally:
        if target:
            line = json.dumps({"t": time.time(), "ms": round((time.perf_counter() - start) * 1000, 2),
                               "completed": completed})
            with open(target, "a", encoding="utf-8") as handle:  # one short append per run
                handle.write(line + "\n")
