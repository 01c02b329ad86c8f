"""Protocol-level load (issue 18): many concurrent Streamlit sessions, no browser.

    python bench/load_protocol.py [--levels 10 50 100 200] [--seconds 60] [--think 5 15] [--docs 1000]
    python bench/load_protocol.py --replicas 2 --levels 100 200     # through nginx (scripts/serve_replicas.sh)
    python bench/load_protocol.py --url http://127.0.0.1:8600 --levels 50   # any running server

Each simulated session speaks Streamlit 1.67's own protocol over one websocket, as the
browser does: ``GET /`` (the page; through nginx this sets the affinity cookie, sent back
with the websocket), then ``/_stcore/stream`` with the ``streamlit`` subprotocol, then
``BackMsg.rerun_script`` (a ``ClientState``: the URL's query string, the widget states,
the hashes of the cached messages the client holds). The server answers with
``ForwardMsg``s until ``script_finished``. The widget ids are read from the deltas, as the
browser does: the map is the ``streamlit_folium.st_folium`` component instance, whose value
(``json_value``) is what streamlit-folium's frontend sends for a click on a zone
(``last_active_drawing``: the zone's GeoJSON feature, ``last_object_clicked``: a point);
the date slider (``double_array_value``: microseconds), the tabs (``string_value``: the
label) and the search box (``string_value``, sent on Enter) likewise.

A session loads the page (a permalink with a random zone for a third of them), then until
the time is up: think (uniform ``--think`` seconds), then one action: click a zone on the map
(50 %), change the date (20 %), open a tab (15 %; not Timeline unless ``--with-timeline``, see
bench/README.md), or search (15 %: open the Search tab if it is not, then type a word and press
Enter). Latency = BackMsg sent → ``script_finished``
received, per action kind. Errors: connection failures, timeouts (``--timeout``), a run that
does not finish successfully, an ``exception`` element, or the clicked zone's panel heading
missing from the run's deltas. A dropped connection is reconnected (as the browser does,
with the current URL), counted under ``reconnects`` and, for new sessions after the drop,
``errors``. Per level: p50/p95/p99, errors, server CPU (``/proc/PID/stat`` of every server
process) and RSS (``VmRSS``, peak of 1 s samples), the CPU share of this generator itself,
and the load average. Capacity = the most sessions whose click p95 stays ≤ 1 s.

Every server is on 127.0.0.1 and stopped on exit; every wait is bounded. Not run in CI.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.typing import Origin, Subprotocol

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
ZONES = ("idlib", "north-homs", "eastern-ghouta", "south")
READ_TABS = ["All zones", "Where the sources disagree", "Search", "Read a document", "Sources and downloads"]
# The Timeline tab is left out unless --with-timeline: on the 1,000-document store its query of the
# zone-linked extracted dates scans zone_links per candidate (27 s, twice per run, holding the
# store's lock, so every other session's run waits too); see bench/README.md.
TIMELINE = "Timeline"
WORDS = ("ceasefire", "Idlib", "Daraa", "convoy", "zeolite", "Douma", "observers", "Rastan", "Quneitra", "Harasta")
DATE_MIN, DATE_MAX = dt.date(2017, 5, 4), dt.date(2019, 12, 31)
CLICK_P95_BUDGET_MS = 1000.0
FOLIUM = "streamlit_folium.st_folium"
SUCCESS = "FINISHED_SUCCESSFULLY"


def log(msg: str) -> None:
    print(f"[{dt.datetime.now().strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return round(s[lo] + (s[hi] - s[lo]) * (k - lo), 1)


def zone_features() -> dict[str, dict[str, Any]]:
    """Each zone's GeoJSON feature, as Leaflet's ``toGeoJSON()`` hands it to streamlit-folium."""
    data = json.loads((ROOT / "geodata" / "zones.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["id"]: f for f in data["features"]}


def zone_names() -> dict[str, str]:
    return {z: f["properties"]["name"] for z, f in zone_features().items()}


def date_micros(day: dt.date) -> float:
    return float((dt.datetime.combine(day, dt.time()) - dt.datetime(1970, 1, 1)).total_seconds() * 1e6)


# --------------------------------------------------------------------------- one session


@dataclass
class Tally:
    """What every session of a level adds to."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    reconnects: int = 0
    reconnects_with_zone: int = 0   # reconnects of sessions that had a zone selected
    kept_selection: int = 0   # ... whose first run after reconnecting showed that zone's panel again (from the URL)
    sessions_started: int = 0
    bytes_in: int = 0
    replicas: dict[str, int] = field(default_factory=dict)  # affinity cookie → sessions (nginx only)

    def add(self, kind: str, ms: float) -> None:
        self.latencies.setdefault(kind, []).append(ms)


class RunFailed(Exception):
    """A script run that did not finish as the browser expects (named in the tally)."""


@dataclass
class Run:
    status: str = ""
    headings: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)


class Session:
    """One browser tab's worth of protocol: widget ids learnt from the deltas, widget values kept
    and sent with every rerun (as the frontend's WidgetStateManager does), cached hashes kept."""

    def __init__(self, base: str, n: int, rng: random.Random, tally: Tally, features: dict, names: dict,
                 timeout: float) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.ws_url = f"ws://{self.host}:{self.port}/_stcore/stream"
        self.n, self.rng, self.tally, self.features, self.names, self.timeout = n, rng, tally, features, names, timeout
        self.ws: Any = None
        self.cookie = ""
        self.query = ""
        self.ids: dict[str, str] = {}
        self.states: dict[str, tuple[str, Any]] = {}   # widget id → (value field, value)
        self.hashes: set[str] = set()
        self.zone: str | None = None
        self.tab = READ_TABS[0]

    # -- transport
    async def get_page(self) -> None:
        """``GET /`` like a browser's navigation; keeps the affinity cookie nginx sets."""
        reader, writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), self.timeout)
        try:
            cookie = f"Cookie: {self.cookie}\r\n" if self.cookie else ""
            writer.write(f"GET /?{self.query} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{cookie}"
                         "Connection: close\r\n\r\n".encode())
            raw = await asyncio.wait_for(reader.read(), self.timeout)
        finally:
            writer.close()
        head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        if " 200 " not in head[0] + " ":
            raise RunFailed(f"GET / answered {head[0]!r}")
        for line in head[1:]:
            if line.lower().startswith("set-cookie:") and "atlas_route=" in line:
                self.cookie = line.split(":", 1)[1].strip().split(";", 1)[0]

    async def connect(self) -> None:
        await self.get_page()
        headers = {"Cookie": self.cookie} if self.cookie else {}
        self.ws = await asyncio.wait_for(websockets.connect(
            self.ws_url, subprotocols=[Subprotocol("streamlit")], max_size=None, additional_headers=headers,
            origin=Origin(f"http://{self.host}:{self.port}"), open_timeout=self.timeout, ping_interval=None), self.timeout)
        self.hashes.clear()  # a new connection: the browser's cache is per page load

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()

    async def rerun(self, kind: str) -> Run:
        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = self.query
        rs.page_script_hash = ""
        rs.cached_message_hashes.extend(sorted(self.hashes))
        for wid, (fieldname, value) in self.states.items():
            w = rs.widget_states.widgets.add()
            w.id = wid
            if fieldname == "double_array_value":
                w.double_array_value.data.extend(value)
            else:
                setattr(w, fieldname, value)
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        run = await asyncio.wait_for(self.read_run(), self.timeout)
        self.tally.add(kind, (time.perf_counter() - t0) * 1000)
        if run.status != SUCCESS:
            raise RunFailed(f"{kind}: the run ended {run.status}")
        if run.exceptions:
            raise RunFailed(f"{kind}: exception shown: {run.exceptions[0][:200]}")
        return run

    async def read_run(self) -> Run:
        run = Run()
        while True:
            raw = await self.ws.recv()
            self.tally.bytes_in += len(raw)
            fm = ForwardMsg.FromString(raw)
            kind = fm.WhichOneof("type")
            if fm.HasField("metadata") and fm.metadata.cacheable and fm.hash:
                self.hashes.add(fm.hash)
            if kind == "delta":
                self.learn(fm, run)
            elif kind == "page_info_changed":
                self.query = fm.page_info_changed.query_string
            elif kind == "script_finished":
                run.status = ForwardMsg.ScriptFinishedStatus.Name(fm.script_finished)
                if run.status in ("FINISHED_SUCCESSFULLY", "FINISHED_WITH_COMPILE_ERROR", "FINISHED_EARLY_FOR_RERUN",
                                  "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"):
                    return run

    def learn(self, fm: ForwardMsg, run: Run) -> None:
        delta = fm.delta
        if delta.WhichOneof("type") == "add_block":
            block = delta.add_block
            if block.WhichOneof("type") == "tab_container" and block.tab_container.id:
                self.ids["tabs"] = block.tab_container.id
            return
        if delta.WhichOneof("type") != "new_element":
            return
        el = delta.new_element
        et = el.WhichOneof("type")
        if et == "heading":
            run.headings.append(el.heading.body)
        elif et == "exception":
            run.exceptions.append(f"{el.exception.type}: {el.exception.message}")
        elif et == "component_instance" and el.component_instance.component_name == FOLIUM:
            self.ids["map"] = el.component_instance.id
        elif et == "slider" and el.slider.id.endswith("-atlas_date"):
            self.ids["date"] = el.slider.id
        elif et == "text_input" and el.text_input.id.endswith("-atlas_search"):
            self.ids["search"] = el.text_input.id

    # -- what a reader does
    async def load(self, kind: str = "load") -> Run:
        return await self.rerun(kind)

    async def click_zone(self) -> None:
        zone = self.rng.choice([z for z in ZONES if z != self.zone])
        feature = self.features[zone]
        value = {"last_active_drawing": feature,
                 "last_object_clicked": {"lat": 34.0 + self.rng.random(), "lng": 36.0 + self.rng.random()}}
        self.states[self.ids["map"]] = ("json_value", json.dumps(value))
        run = await self.rerun("click")
        self.zone = zone
        if self.names[zone] not in run.headings:
            raise RunFailed(f"click on {zone}: its panel heading was not in the run")

    async def change_date(self) -> None:
        day = DATE_MIN + dt.timedelta(days=self.rng.randrange((DATE_MAX - DATE_MIN).days))
        self.states[self.ids["date"]] = ("double_array_value", [date_micros(day)])
        await self.rerun("date")

    async def open_tab(self, tab: str | None = None) -> None:
        self.tab = tab or self.rng.choice([t for t in READ_TABS if t != self.tab])
        self.states[self.ids["tabs"]] = ("string_value", self.tab)
        await self.rerun("tab")

    async def search(self) -> None:
        if self.tab != "Search" or "search" not in self.ids:
            await self.open_tab("Search")
        self.states[self.ids["search"]] = ("string_value", self.rng.choice(WORDS))
        await self.rerun("search")

    async def act(self) -> None:
        r = self.rng.random()
        if r < 0.50:
            await self.click_zone()
        elif r < 0.70:
            await self.change_date()
        elif r < 0.85:
            await self.open_tab()
        else:
            await self.search()

    async def reconnect(self) -> None:
        """The browser's reconnect after the server went away: a new connection (nginx may send it
        to another replica, which starts a new session) and a rerun with the page's URL."""
        await self.close()
        self.tally.reconnects += 1
        self.states = {k: v for k, v in self.states.items() if k != self.ids.get("map")}
        last: Exception | None = None
        for attempt in range(10):
            try:
                await self.connect()
                run = await self.load("reconnect")
                if self.zone:
                    self.tally.reconnects_with_zone += 1
                    self.tally.kept_selection += self.names[self.zone] in run.headings
                return
            except (TimeoutError, OSError, websockets.WebSocketException, RunFailed) as exc:
                last = exc
                await asyncio.sleep(min(0.5 * 2 ** attempt, 5))
        raise RunFailed(f"could not reconnect: {last}")

    async def live(self, deadline: float, think: tuple[float, float]) -> None:
        if self.rng.random() < 1 / 3:
            self.zone = self.rng.choice(ZONES)
            self.query = urlencode({"zone": self.zone})
        await self.connect()
        self.tally.sessions_started += 1
        if self.cookie:
            self.tally.replicas[self.cookie] = self.tally.replicas.get(self.cookie, 0) + 1
        await self.load()
        while True:
            pause = self.rng.uniform(*think)
            if time.monotonic() + pause >= deadline:
                break
            await asyncio.sleep(pause)
            try:
                await self.act()
            except (websockets.ConnectionClosed, OSError) as exc:
                self.tally.errors.append(f"session {self.n}: connection lost ({type(exc).__name__}); reconnecting")
                await self.reconnect()


async def one_session(base: str, n: int, seed: int, tally: Tally, start_at: float, deadline: float,
                      think: tuple[float, float], features: dict, names: dict, timeout: float) -> None:
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    s = Session(base, n, random.Random(seed * 100_003 + n), tally, features, names, timeout)
    try:
        await s.live(deadline, think)
    except Exception as exc:  # recorded, never hidden
        tally.errors.append(f"session {n}: {type(exc).__name__}: {exc}"[:300])
    finally:
        await s.close()


# --------------------------------------------------------------------------- server figures


def proc_cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


async def sample_rss(pids: list[int], peak: dict[int, float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        for pid in pids:
            peak[pid] = max(peak.get(pid, 0.0), proc_rss_mb(pid))
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)


def own_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def run_level(base: str, sessions: int, seconds: float, ramp: float, think: tuple[float, float],
                    server_pids: list[int], seed: int = 1, timeout: float = 30.0,
                    during: Any = None) -> dict[str, Any]:
    """``sessions`` sessions started evenly over ``ramp`` seconds, each acting until ``ramp + seconds``.
    ``during``: an optional coroutine function run alongside (the drills), given the tally."""
    features, names = zone_features(), zone_names()
    tally = Tally()
    cpu0 = {pid: proc_cpu_s(pid) for pid in server_pids}
    own0, wall0, load0 = own_cpu_s(), time.monotonic(), os.getloadavg()
    peak: dict[int, float] = {}
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_rss(server_pids, peak, stop))
    start = time.monotonic()
    deadline = start + ramp + seconds
    tasks = [one_session(base, i, seed, tally, start + ramp * i / max(sessions, 1), deadline, think, features,
                         names, timeout) for i in range(sessions)]
    extra = [during(tally)] if during else []
    results = await asyncio.gather(*tasks, *extra)
    stop.set()
    await sampler
    wall = time.monotonic() - wall0
    server_cpu = sum(proc_cpu_s(pid) - cpu0[pid] for pid in server_pids)
    own = own_cpu_s() - own0
    lat = {k: {"n": len(v), "p50": pct(v, 50), "p95": pct(v, 95), "p99": pct(v, 99), "max": round(max(v), 1)}
           for k, v in sorted(tally.latencies.items())}
    actions = [x for k, v in tally.latencies.items() if k not in ("load", "reconnect") for x in v]
    out = {
        "sessions": sessions, "seconds": seconds, "ramp_s": ramp, "think_s": list(think), "wall_s": round(wall, 1),
        "latency_ms": lat,
        "all_actions_ms": {"n": len(actions), "p50": pct(actions, 50), "p95": pct(actions, 95), "p99": pct(actions, 99)},
        "runs_per_s": round(sum(len(v) for v in tally.latencies.values()) / wall, 2),
        "errors": len(tally.errors), "error_samples": tally.errors[:8], "reconnects": tally.reconnects,
        "reconnects_with_zone": tally.reconnects_with_zone,
        "kept_selection_after_reconnect": tally.kept_selection, "sessions_started": tally.sessions_started,
        "mb_received": round(tally.bytes_in / 1e6, 1),
        "server_cpu_s": round(server_cpu, 1), "server_cpu_share": round(server_cpu / wall, 2),
        "server_rss_mb": {"peak": {str(p): round(v, 1) for p, v in peak.items()},
                          "end": {str(p): round(proc_rss_mb(p), 1) for p in server_pids}},
        "generator_cpu_s": round(own, 1), "generator_cpu_share": round(own / wall, 2),
        "loadavg_start": [round(x, 2) for x in load0], "loadavg_end": [round(x, 2) for x in os.getloadavg()],
    }
    if tally.replicas:
        out["sessions_per_affinity_cookie"] = len(tally.replicas)
    if extra:
        out["drill"] = results[-1]
    return out


# --------------------------------------------------------------------------- servers


def ensure_corpus(docs: int, folder: Path) -> Path:
    """A store of ``docs`` generated articles (bench/bench_scale.py's ``build_store``), built once."""
    marker = folder / "built.json"
    if docs and not marker.exists():
        from bench.bench_scale import build_store
        log(f"building the {docs}-document store in {folder} (once)")
        folder.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps(build_store(docs, folder, 1)), encoding="utf-8")
    return folder


def app_environ(work: Path | None) -> dict[str, str]:
    env = dict(os.environ, ATLAS_TILES="none", ATLAS_DATA_ROOT=str(ROOT))
    env.pop("ATLAS_PROFILE", None)
    if work is not None:
        env.update(ATLAS_UPLOADS=str(work / "uploads"), ATLAS_DB=str(work / "atlas.db"))
    return env


@contextlib.contextmanager
def one_server(work: Path | None) -> Iterator[tuple[str, list[int]]]:
    """``streamlit run app.py`` (a copy, tests/server.py's site) on a free loopback port."""
    from tests.server import app_site, serve
    script = app_site(RESULTS / "load_site")
    with open(RESULTS / "load-server.log", "w") as logf, \
            serve(script, app_environ(work), logf, ("--server.fileWatcherType", "none"), timeout=120,
                  cwd=script.parent) as (url, proc):
        yield url, [proc.pid]


@dataclass
class Replicated:
    """What scripts/serve_replicas.sh started: nginx's URL, the replicas' PIDs then nginx's, its run folder."""

    url: str
    pids: list[int]
    run_dir: Path
    proc: subprocess.Popen


@contextlib.contextmanager
def serve_replicas(env: dict[str, str], n: int, port: int, run_dir: Path, log_path: Path,
                   timeout: float = 240) -> Iterator[Replicated]:
    """``scripts/serve_replicas.sh N PORT`` with ``env`` until its ``ready`` file appears; stopped
    afterwards (SIGTERM to its process group, then SIGKILL) unless it already ended."""
    env = dict(env, ATLAS_RUN_DIR=str(run_dir))
    with open(log_path, "w") as logf:
        proc = subprocess.Popen(["bash", str(ROOT / "scripts" / "serve_replicas.sh"), str(n), str(port)], env=env,
                                stdout=logf, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + timeout
            while not (run_dir / "ready").exists():
                if proc.poll() is not None:
                    raise RuntimeError(f"serve_replicas.sh exited with {proc.returncode}: "
                                       f"{log_path.read_text(errors='replace')[-2000:]}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"replicas not ready within {timeout:.0f} s")
                time.sleep(0.5)
            pids = [int((run_dir / f"replica-{i}.pid").read_text()) for i in range(1, n + 1)]
            pids.append(int((run_dir / "nginx.pid").read_text()))
            yield Replicated(f"http://127.0.0.1:{port}", pids, run_dir, proc)
        finally:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(10)


@contextlib.contextmanager
def replicas(work: Path | None, n: int, port: int) -> Iterator[tuple[str, list[int], Path]]:
    """The benchmark's replicas on the generated store; loopback is exempt from nginx's
    per-address rate limits (ATLAS_LOAD_TEST=1: every session comes from 127.0.0.1)."""
    env = dict(app_environ(work), ATLAS_LOAD_TEST="1")
    with serve_replicas(env, n, port, RESULTS / "replicas", RESULTS / "replicas.log") as r:
        yield r.url, r.pids, r.run_dir


def nginx_worker_pids(master: int) -> list[int]:
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            with contextlib.suppress(OSError):
                if int((p / "stat").read_text().rsplit(")", 1)[1].split()[1]) == master:
                    out.append(int(p.name))
    return out


async def warm_up(base: str, sessions: int = 1) -> None:
    """First runs fill the server's caches (not measured, like a deployment's first visitors); behind
    nginx several sessions, each with its own affinity cookie, so that every replica gets some."""
    async def one(n: int) -> None:
        s = Session(base, -1 - n, random.Random(n), Tally(), zone_features(), zone_names(), 180.0)
        try:
            await s.connect()
            await s.load()
            for _ in ZONES:
                s.zone = None
                await s.click_zone()
            await s.search()
        finally:
            await s.close()
    await asyncio.gather(*(one(n) for n in range(sessions)))


def renice(pids: list[int], niceness: int) -> None:
    """Give the measured processes (and their threads) a scheduling priority; 0 leaves them alone."""
    if not niceness:
        return
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, int(task.name), niceness)


def capacity(levels: list[dict[str, Any]]) -> int | None:
    ok = [lv["sessions"] for lv in levels
          if (lv["latency_ms"].get("click", {}).get("p95") or 1e9) <= CLICK_P95_BUDGET_MS and lv["errors"] == 0]
    return max(ok) if ok else None


def row(lv: dict[str, Any]) -> str:
    c = lv["latency_ms"].get("click", {})
    a = lv["all_actions_ms"]
    rss = sum(lv["server_rss_mb"]["peak"].values())
    return (f"| {lv['sessions']} | {c.get('n', 0)} | {c.get('p50')} | {c.get('p95')} | {c.get('p99')} | {a['p95']} | "
            f"{lv['runs_per_s']} | {lv['errors']} | {lv['server_cpu_share']} | {rss:.0f} | {lv['generator_cpu_share']} | "
            f"{lv['loadavg_start'][0]}→{lv['loadavg_end'][0]} |")


HEADER = ("| sessions | clicks | click p50 ms | click p95 ms | click p99 ms | all actions p95 ms | runs/s | errors | "
          "server CPU (cores) | server RSS peak MB | generator CPU (cores) | load avg (1 min) |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|")


def stop_on_sigterm() -> None:
    """SIGTERM ends the run like Ctrl-C: the servers are stopped by their context managers."""
    def _raise(_sig: int, _frame: Any) -> None:
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, _raise)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--levels", type=int, nargs="+", default=[10, 50, 100, 200])
    ap.add_argument("--seconds", type=float, default=60.0, help="measured time per level after the ramp")
    ap.add_argument("--ramp", type=float, default=None, help="seconds over which sessions start (default: sessions/10)")
    ap.add_argument("--think", type=float, nargs=2, default=[5.0, 15.0], metavar=("MIN", "MAX"))
    ap.add_argument("--docs", type=int, default=1000, help="generated documents in the store (0: the bundled seed only)")
    ap.add_argument("--replicas", type=int, default=0, help="N app processes behind nginx (scripts/serve_replicas.sh)")
    ap.add_argument("--port", type=int, default=8600, help="nginx's port with --replicas")
    ap.add_argument("--url", help="measure an already running server or proxy (server figures left out)")
    ap.add_argument("--nice", type=int, default=0,
                    help="run the servers and this generator at this niceness (e.g. -10 on a machine others load)")
    ap.add_argument("--with-timeline", action="store_true", help="let sessions open the Timeline tab too")
    ap.add_argument("--label", default=None)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    stop_on_sigterm()
    if args.with_timeline:
        READ_TABS.insert(1, TIMELINE)
    RESULTS.mkdir(parents=True, exist_ok=True)
    work = ensure_corpus(args.docs, RESULTS / f"corpus-{args.docs}") if args.docs else None
    label = args.label or (f"replicas{args.replicas}" if args.replicas else "one")
    out_path = args.out or RESULTS / f"load-{label}.json"
    levels = []
    for n in args.levels:
        ramp = args.ramp if args.ramp is not None else max(5.0, n / 10)
        with contextlib.ExitStack() as stack:
            pids: list[int] = []
            if args.url:
                base = args.url
            elif args.replicas:
                base, pids, _ = stack.enter_context(replicas(work, args.replicas, args.port))
                pids = [*pids, *nginx_worker_pids(pids[-1])]
            else:
                base, pids = stack.enter_context(one_server(work))
            renice([os.getpid(), *pids], args.nice)
            log(f"{label}: {n} sessions on {base} (ramp {ramp:.0f} s, {args.seconds:.0f} s, think {args.think})")
            asyncio.run(warm_up(base, 6 if args.replicas > 1 else 1))
            lv = asyncio.run(run_level(base, n, args.seconds, ramp, tuple(args.think), pids))
        lv["server_pids"] = pids
        levels.append(lv)
        log(row(lv))
        out = {"label": label, "replicas": args.replicas or 1, "docs": args.docs, "cpus": os.cpu_count(), "nice": args.nice,
               "tabs_opened": READ_TABS,
               "levels": levels, "capacity_click_p95_le_1s": capacity(levels)}
        out_path.write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(HEADER)
    for lv in levels:
        print(row(lv))
    print(f"capacity (most sessions with click p95 ≤ 1 s and 0 errors): {capacity(levels)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
