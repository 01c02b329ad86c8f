"""Fault drills on the replicated setup (issue 18, the SQLite side): kill a replica under load; SIGTERM.

    python bench/drill_replicas.py [--sessions 40] [--seconds 60] [--docs 1000] [--out bench/results/drills.json]

1. **SIGKILL one replica during a load run.** ``scripts/serve_replicas.sh 2`` (nginx + two
   replicas on one store), ``--sessions`` protocol sessions (bench/load_protocol.py) started
   evenly over the first half of the run; at a third of the run replica 1 gets SIGKILL.
   Reported: sessions that were on it (their websocket closed), how many reconnected through
   nginx and how many of those showed their zone again from the URL (``?zone=`` kept by the
   page, as the browser's reconnect sends it), the errors (every dropped connection is one, by
   design of the tally; any other error is not provoked by the drill), and from nginx's access
   log which replica served each websocket opened after the kill (all must be the survivor).
2. **SIGTERM one replica during a load run**, the same way: does it exit, how fast, and do its
   sessions move to the survivor; while it drains (its own sessions' runs finish) new sessions must
   reach the survivor: the requests nginx passed on after the draining replica's 503, and its
   ``serve: drained ...`` line.
3. **SIGTERM a single server with runs in flight.** ``--sessions`` sessions each send a rerun
   (a search on the store) and the server gets SIGTERM 50 ms later: runs that finished before the
   socket closed, the exit code, the time to exit, and whether its log holds a traceback.

Every server is on 127.0.0.1 and stopped on exit. Not run in CI (minutes, needs nginx).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import load_protocol as lp


def pid_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def stream_upstreams(access_log: Path, since: float) -> dict[str, int]:
    """Websockets (``GET /_stcore/stream``) opened at or after ``since`` (epoch s), by the replica
    that finally served them (the last address nginx tried), from the ``atlas`` log format."""
    out: dict[str, int] = {}
    if not access_log.exists():
        return out
    for line in access_log.read_text(encoding="utf-8", errors="replace").splitlines():
        if "/_stcore/stream" not in line or "upstream=" not in line:
            continue
        head, _request, tail = line.split('"', 2)
        status, _bytes, request_time = tail.split()[:3]
        if float(head.split()[0]) - float(request_time) < since:
            continue
        tried = tail.split("upstream=", 1)[1].split(" route=", 1)[0]
        key = f"{tried.split(',')[-1].strip() or '-'} HTTP {status}"
        out[key] = out.get(key, 0) + 1
    return out


def passed_on(access_log: Path, since: float) -> dict[str, int]:
    """Requests started at or after ``since`` that nginx sent to more than one replica (the first refused
    or answered 503, e.g. while draining), by path kind and final status."""
    out: dict[str, int] = {}
    if not access_log.exists():
        return out
    for line in access_log.read_text(encoding="utf-8", errors="replace").splitlines():
        if "upstream=" not in line:
            continue
        head, request, tail = line.split('"', 2)
        status, _bytes, request_time = tail.split()[:3]
        tried = tail.split("upstream=", 1)[1].split(" route=", 1)[0]
        if "," not in tried or float(head.split()[0]) - float(request_time) < since:
            continue
        path = request.split()[1] if len(request.split()) > 1 else "?"
        kind = "websocket" if path.startswith("/_stcore/stream") else "page" if path.split("?")[0] == "/" else "other"
        key = f"{kind} HTTP {status}"
        out[key] = out.get(key, 0) + 1
    return out


async def kill_during(pid: int, sig: int, at: float, note: dict[str, Any]) -> None:
    await asyncio.sleep(at)
    note["signal"] = signal.Signals(sig).name
    note["sent_epoch"] = time.time()
    t0 = time.monotonic()
    os.kill(pid, sig)
    while pid_alive(pid) and time.monotonic() - t0 < 60:
        await asyncio.sleep(0.05)
    note["gone_after_s"] = round(time.monotonic() - t0, 2) if not pid_alive(pid) else None


def replica_drill(work: Path | None, sig: int, sessions: int, seconds: float, port: int) -> dict[str, Any]:
    os.environ["ATLAS_LOAD_TEST"] = "1"   # loopback is exempt from nginx's per-address limits
    with lp.replicas(work, 2, port) as (url, pids, run_dir):
        asyncio.run(lp.warm_up(url))
        victim, survivor = pids[0], pids[1]
        note: dict[str, Any] = {"victim_pid": victim, "survivor_pid": survivor}

        def during(tally: lp.Tally):
            note["tally"] = tally
            return kill_during(victim, sig, seconds / 3, note)

        ramp = seconds / 2
        lv = asyncio.run(lp.run_level(url, sessions, seconds - ramp, ramp, (3.0, 8.0), [survivor], during=during))
        lv.pop("drill", None)
        time.sleep(1)
        access = run_dir / "logs" / "access.log"
        after_kill = stream_upstreams(access, note["sent_epoch"] + 0.5)
        before_kill = stream_upstreams(access, 0)
        failed_over = passed_on(access, note["sent_epoch"])
        victim_log = (run_dir / "logs" / "replica-1.log").read_text(encoding="utf-8", errors="replace")
        drain = [line for line in victim_log.splitlines() if line.startswith("serve: drained")]
        note.pop("tally", None)
        victim_port = port + 1
    return {"drill": f"{note['signal']} replica 1 of 2 under load", **note, "victim": f"127.0.0.1:{victim_port}",
            "websockets_opened_after_signal_by_replica": after_kill, "websockets_all_by_replica": before_kill,
            "requests_passed_on_to_another_replica_after_signal": failed_over, "victim_drain": drain,
            "victim_traceback": "Traceback" in victim_log,
            "level": lv}


async def sigterm_in_flight(url: str, proc: subprocess.Popen, sessions: int) -> dict[str, Any]:
    tally = lp.Tally()
    feats, names = lp.zone_features(), lp.zone_names()
    live = [lp.Session(url, i, random.Random(i), tally, feats, names, 60.0) for i in range(sessions)]
    for s in live:
        await s.connect()
        await s.load()
        await s.open_tab("Search")
    async def one(s: lp.Session) -> str:
        s.states[s.ids["search"]] = ("string_value", random.choice(lp.WORDS) + " " + random.choice(lp.WORDS))
        try:
            await s.rerun("search")
            return "finished"
        except Exception as exc:
            return type(exc).__name__
    tasks = [asyncio.create_task(one(s)) for s in live]
    await asyncio.sleep(0.05)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    outcomes = await asyncio.gather(*tasks)
    while proc.poll() is None and time.monotonic() - t0 < 60:
        await asyncio.sleep(0.05)
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o] = counts.get(o, 0) + 1
    for s in live:
        await s.close()
    return {"runs_in_flight": sessions, "outcomes": counts, "exit_code": proc.poll(),
            "exit_after_s": round(time.monotonic() - t0, 2)}


def term_drill(work: Path | None, sessions: int) -> dict[str, Any]:
    from tests.server import DRAINING_SERVE, app_site, serve
    script = app_site(lp.RESULTS / "load_site")
    log_path = lp.RESULTS / "drill-sigterm-server.log"
    with open(log_path, "w") as logf, serve(script, lp.app_environ(work), logf, ("--server.fileWatcherType", "none"),
                                           timeout=120, cwd=script.parent, launcher=DRAINING_SERVE) as (url, proc):
        asyncio.run(lp.warm_up(url))
        out = asyncio.run(sigterm_in_flight(url, proc, sessions))
    text = log_path.read_text(encoding="utf-8", errors="replace")
    out["traceback_in_log"] = "Traceback" in text
    out["log_tail"] = text.strip().splitlines()[-3:]
    return {"drill": "SIGTERM one server with runs in flight", **out}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=40)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--port", type=int, default=8640)
    ap.add_argument("--only", choices=("kill", "term", "term-one"), action="append")
    ap.add_argument("--out", type=Path, default=lp.RESULTS / "drills.json")
    args = ap.parse_args(argv)
    lp.RESULTS.mkdir(parents=True, exist_ok=True)
    work = lp.ensure_corpus(args.docs, lp.RESULTS / f"corpus-{args.docs}") if args.docs else None
    which = args.only or ["kill", "term", "term-one"]
    out: list[dict[str, Any]] = []
    for name in which:
        lp.log(f"drill: {name}")
        if name == "kill":
            out.append(replica_drill(work, signal.SIGKILL, args.sessions, args.seconds, args.port))
        elif name == "term":
            out.append(replica_drill(work, signal.SIGTERM, args.sessions, args.seconds, args.port))
        else:
            out.append(term_drill(work, min(args.sessions, 20)))
        args.out.write_text(json.dumps(out, indent=1, default=str), encoding="utf-8")
        lp.log(json.dumps(out[-1], default=str)[:1500])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
