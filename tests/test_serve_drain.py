"""``python -m components serve``: on SIGTERM the runs in flight finish, then the server exits cleanly.

Streamlit's own handler cuts them (bench/README.md, the SIGTERM drill: 20 of 20 searches never
finished). Real server, real protocol clients (bench/load_protocol.py), a real signal.
"""
from __future__ import annotations

import asyncio
import os

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
    from components.ui.serve import wait_for_runs
    seen: list[int] = []
    busy_until = [0.3]  # seconds of polling during which a run is in flight, then a gap, then another

    def runs() -> int:
        seen.append(1)
        elapsed = len(seen) * 0.05
        return 1 if elapsed < busy_until[0] or 0.5 < elapsed < 0.7 else 0
    assert asyncio.run(wait_for_runs(runs, drain_s=10, quiet_s=0.4)) == 0
    assert len(seen) * 0.05 >= 0.7 + 0.4 - 0.1  # it waited through the gap for the second run and its quiet spell
    assert asyncio.run(wait_for_runs(lambda: 2, drain_s=0.3, quiet_s=0.4)) == 2  # a run that never ends: stopped at the limit
