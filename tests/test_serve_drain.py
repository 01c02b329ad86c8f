"""``python -m components serve``: on SIGTERM the runs in flight finish, then the server exits cleanly.

Streamlit's own handler cuts them (bench/README.md, the SIGTERM drill: 20 of 20 searches never
finished). Real server, real protocol clients (bench/load_protocol.py), a real signal.
"""
from __future__ import annotations

import asyncio
import os
import time

from bench import load_protocol as lp
from bench.drill_replicas import sigterm_in_flight
from components.cli import build_parser, parse_command_line
from tests.server import DRAINING_SERVE, ROOT, app_site, serve

SESSIONS = 12


def test_sigterm_lets_every_run_in_flight_finish_and_exits_with_code_0(tmp_path) -> None:
    script = app_site(tmp_path / "site")
    log_path = tmp_path / "server.log"
    env = dict(os.environ, ATLAS_TILES="none", ATLAS_DATA_ROOT=str(ROOT))
    with open(log_path, "w") as logf, serve(script, env, logf, ("--server.fileWatcherType", "none"), timeout=120,
                                           cwd=script.parent, launcher=DRAINING_SERVE) as (url, proc):
        asyncio.run(lp.warm_up(url))
        out = asyncio.run(sigterm_in_flight(url, proc, SESSIONS))
    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert "SIGTERM: letting the runs in flight finish" in log, log[-2000:]
    assert out["outcomes"] == {"finished": SESSIONS}, out
    assert out["exit_code"] == 0, out
    assert "Traceback" not in log, log[-2000:]


def test_serve_passes_streamlit_options_through_and_checks_its_own() -> None:
    parser = build_parser()
    args = parse_command_line(parser, ["serve", "--drain", "3", "--server.port", "8502", "--server.headless", "true"])
    assert (args.drain, args.streamlit_args) == (3.0, ["--server.port", "8502", "--server.headless", "true"])
    for bad in (["serve", "--drain", "0"], ["serve", "--drain", "soon"], ["validate", "--server.port", "1"]):
        try:
            parse_command_line(parser, bad)
        except SystemExit as exc:
            assert exc.code == 2
        else:
            raise AssertionError(f"{bad} was accepted")


def test_the_drain_waits_for_a_quiet_spell_and_gives_up_at_its_limit() -> None:
    """Runs in flight by the clock (not by the number of polls: on a busy machine a poll's sleep overshoots,
    and a gap counted in polls is longer than the quiet spell): one for 0.3 s, a 0.5 s gap (shorter than the
    1 s quiet spell), another for 0.5 s; the drain ends a quiet spell after the second."""
    from components.ui.serve import wait_for_runs
    t0 = time.monotonic()

    def runs() -> int:
        elapsed = time.monotonic() - t0
        return 1 if elapsed < 0.3 or 0.8 < elapsed < 1.3 else 0
    assert asyncio.run(wait_for_runs(runs, drain_s=10, quiet_s=1.0)) == 0
    # it waited through the gap (ending there, it would have stopped at 0.3 + 1.0 s) for the second run and a quiet spell
    assert time.monotonic() - t0 >= 0.8 + 1.0
    assert asyncio.run(wait_for_runs(lambda: 2, drain_s=0.3, quiet_s=0.4)) == 2  # a run that never ends: stopped at the limit
