"""Replicas behind nginx (issue 18): scripts/serve_replicas.sh with deploy/nginx.conf, for real.

Needs Debian's nginx (scripts/test.sh installs it, as it installs chromium); the sessions are
bench/load_protocol.py's protocol clients (Streamlit's own BackMsg/ForwardMsg over the websocket).
"""
from __future__ import annotations

import asyncio
import os
import random
import re
import shutil
import signal
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import load_protocol as lp
from bench.drill_replicas import pid_alive
from components.documents import MAX_DOCUMENT_BYTES
from tests.server import ROOT, free_port, sealed_app

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MB = 1024 * 1024


def nginx_size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmM]?)", value).groups()  # type: ignore[union-attr]
    return int(number) * {"": 1, "k": 1024, "m": MB}[unit.lower()]


def test_request_size_limits_agree_between_nginx_streamlit_and_the_app() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    body = nginx_size(re.search(r"^\s*client_max_body_size\s+(\S+);", conf, re.M).group(1))  # type: ignore[union-attr]
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]
    streamlit_mb = server["maxUploadSize"]
    assert streamlit_mb * MB == MAX_DOCUMENT_BYTES, "Streamlit's maxUploadSize must be the app's document limit"
    # nginx lets the largest document and its multipart envelope through, and not much more
    assert MAX_DOCUMENT_BYTES < body <= MAX_DOCUMENT_BYTES + MB
    # websocket messages: the largest a page sends is a map click (~10 KB); Streamlit's default is 25 MB
    assert server["maxWidgetStateSize"] <= 1


def get(url: str, cookie: str = "") -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items() if k.lower() != "set-cookie"} | {
                "set-cookie": "; ".join(r.headers.get_all("Set-Cookie") or [])}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {}, e.read()


def streams_by_route(run: Path) -> dict[str, set[str]]:
    """Affinity key → the replicas that served its websockets (nginx's access log, written on close)."""
    out: dict[str, set[str]] = {}
    for line in (run / "logs" / "access.log").read_text().splitlines():
        if "/_stcore/stream" in line:
            upstream = line.split("upstream=", 1)[1].split(" route=", 1)[0].split(",")[-1].strip()
            out.setdefault(line.rsplit("route=", 1)[1].strip(), set()).add(upstream)
    return out


def logged_streams(run: Path, wanted, timeout_s: float = 30.0) -> dict[str, set[str]]:
    """:func:`streams_by_route` once ``wanted`` (a test of it) holds: nginx writes a websocket's line when it
    has closed it, which on a busy machine can take longer than the client's close. The last reading if never."""
    deadline = time.monotonic() + timeout_s
    served = streams_by_route(run)
    while not wanted(served) and time.monotonic() < deadline:
        time.sleep(0.2)
        served = streams_by_route(run)
    return served


@pytest.fixture()
def replicas(tmp_path: Path) -> Iterator[lp.Replicated]:
    if not os.access(NGINX, os.X_OK):
        pytest.fail(f"nginx is missing at {NGINX}: scripts/test.sh installs Debian's package (apt-get install -y nginx)")
    port = free_port()
    while port + 2 > 65535:
        port = free_port()
    env = dict(os.environ, ATLAS_APP=str(sealed_app()), ATLAS_TILES="none")
    with lp.serve_replicas(env, 2, port, tmp_path / "run", tmp_path / "serve.log") as r:
        yield r


async def session_clicks(url: str, n: int, cookie: str = "") -> lp.Session:
    s = lp.Session(url, n, random.Random(n), lp.Tally(), lp.zone_features(), lp.zone_names(), 90.0)
    s.cookie = cookie
    await s.connect()
    try:
        await s.load()
        await s.click_zone()   # raises unless the clicked zone's panel heading came back
    finally:
        await s.close()
    return s


def test_two_replicas_share_sessions_by_cookie_and_survive_a_killed_one(replicas: lp.Replicated) -> None:
    port = int(replicas.url.rsplit(":", 1)[1])
    status, headers, body = get(f"{replicas.url}/_stcore/health")
    assert (status, body) == (200, b"ok")
    assert re.search(r"atlas_route=[0-9a-f]{32}; Path=/; HttpOnly", headers["set-cookie"])

    async def many() -> list[lp.Session]:
        return [await session_clicks(replicas.url, i) for i in range(16)]
    sessions = asyncio.run(many())
    cookies = {s.cookie for s in sessions}
    assert len(cookies) == 16 and all(re.fullmatch(r"atlas_route=[0-9a-f]{32}", c) for c in cookies)
    routes = {c.split("=", 1)[1] for c in cookies}
    served = logged_streams(replicas.run_dir, lambda found: routes <= set(found))  # nginx logs a websocket when it closes
    assert routes <= set(served)
    assert all(len(served[k]) == 1 for k in routes), f"a session's page and websocket went to two replicas: {served}"
    used = {next(iter(served[k])) for k in routes}
    assert used == {f"127.0.0.1:{port + 1}", f"127.0.0.1:{port + 2}"}, used

    # a request's cookie is kept, a malformed one replaced
    assert "atlas_route=" not in get(replicas.url + "/", sessions[0].cookie)[1]["set-cookie"]
    assert re.search(r"atlas_route=[0-9a-f]{32}", get(replicas.url + "/", "atlas_route=../../x")[1]["set-cookie"])

    # an upload body over the limit stops at nginx
    big = urllib.request.Request(f"{replicas.url}/_stcore/upload_file/s/f", data=b"x" * (4 * MB), method="PUT")
    with pytest.raises(urllib.error.HTTPError) as too_big:
        urllib.request.urlopen(big, timeout=30)
    assert too_big.value.code == 413

    # SIGKILL replica 1: a session whose cookie pointed at it is served by replica 2
    victim = f"127.0.0.1:{port + 1}"
    on_victim = next(s.cookie for s in sessions if served[s.cookie.split("=", 1)[1]] == {victim})
    os.kill(replicas.pids[0], signal.SIGKILL)
    again = asyncio.run(session_clicks(replicas.url, 99, cookie=on_victim))
    assert again.cookie == on_victim
    route = on_victim.split("=", 1)[1]
    served = logged_streams(replicas.run_dir, lambda found: len(found.get(route, ())) > 1)
    assert served[route] == {victim, f"127.0.0.1:{port + 2}"}

    # SIGTERM to the script (not its group) stops the survivor and nginx cleanly
    survivor, nginx = replicas.pids[1], replicas.pids[-1]
    replicas.proc.send_signal(signal.SIGTERM)
    replicas.proc.wait(60)
    deadline = time.monotonic() + 30
    while (pid_alive(survivor) or pid_alive(nginx)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not pid_alive(survivor), "the surviving replica did not exit on SIGTERM"
    assert not pid_alive(nginx), "nginx did not exit"
    assert not (replicas.run_dir / "ready").exists()
    assert "Traceback" not in (replicas.run_dir / "logs" / "replica-2.log").read_text()


def cookie_routed_to(replicas: lp.Replicated, upstream: str) -> str:
    """An affinity cookie nginx maps to ``upstream`` (found from its access log: the health check's line)."""
    rng = random.Random(7)
    for _ in range(64):
        route = f"{rng.getrandbits(128):032x}"
        assert get(f"{replicas.url}/_stcore/health", f"atlas_route={route}")[0] == 200
        for line in reversed((replicas.run_dir / "logs" / "access.log").read_text().splitlines()):
            if line.endswith(f"route={route}"):
                if line.split("upstream=", 1)[1].split(" route=", 1)[0].split(",")[-1].strip() == upstream:
                    return f"atlas_route={route}"
                break
    raise AssertionError(f"no affinity key maps to {upstream}")


def requests_since(run: Path, route: str, since: float) -> list[tuple[str, str, str]]:
    """(request line, status, replicas tried) of the requests with this affinity key that started at or after ``since``."""
    out = []
    for line in (run / "logs" / "access.log").read_text().splitlines():
        if not line.endswith(f"route={route}"):
            continue
        head, request, tail = line.split('"', 2)
        status, _bytes, request_time = tail.split()[:3]
        if float(head.split()[0]) - float(request_time) >= since:
            out.append((request, status, tail.split("upstream=", 1)[1].split(" route=", 1)[0]))
    return out


async def until(condition, what: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout_s:g} s: {what}"
        await asyncio.sleep(0.05)


def test_a_draining_replica_sends_new_sessions_to_the_other_and_keeps_its_own(replicas: lp.Replicated) -> None:
    """SIGTERM to replica 1 while one of its readers keeps clicking: the drain lasts as long as runs come in;
    meanwhile its health check answers 503, new page loads and sessions whose cookie points at it are served
    by replica 2 (nginx passes the 503 on), its own reader's clicks still work, then it exits cleanly."""
    port = int(replicas.url.rsplit(":", 1)[1])
    victim, survivor = f"127.0.0.1:{port + 1}", f"127.0.0.1:{port + 2}"
    cookie = cookie_routed_to(replicas, victim)
    route = cookie.split("=", 1)[1]
    log = replicas.run_dir / "logs" / "replica-1.log"

    async def scenario() -> tuple[float, int]:
        busy = lp.Session(replicas.url, 1, random.Random(1), lp.Tally(), lp.zone_features(), lp.zone_names(), 90.0)
        busy.cookie = cookie
        await busy.connect()
        await busy.load()
        clicks, stop = [0], asyncio.Event()

        async def keep_clicking() -> None:
            while not stop.is_set():
                await busy.click_zone()  # raises (and fails the test) unless the panel came back
                clicks[0] += 1
                await asyncio.sleep(0.2)
        clicking = asyncio.create_task(keep_clicking())
        await until(lambda: clicks[0] >= 1 or clicking.done(), "a first click on replica 1")
        os.kill(replicas.pids[0], signal.SIGTERM)
        await until(lambda: "letting the runs in flight finish" in log.read_text(errors="replace"), "replica 1 draining")
        since, before = time.time(), clicks[0]
        status, _, body = await asyncio.to_thread(get, f"http://{victim}/_stcore/health")
        assert status == 503 and b"draining" in body, (status, body)
        for n in (101, 102):  # new readers with the cookie of the draining replica
            await session_clicks(replicas.url, n, cookie=cookie)
            assert pid_alive(replicas.pids[0]), "replica 1 stopped before the new sessions were served: no drain seen"
        during = clicks[0] - before
        stop.set()
        await clicking
        await busy.close()
        return since, during

    since, during = asyncio.run(scenario())
    assert during >= 1, "the draining replica's own reader could not click meanwhile"
    deadline = time.monotonic() + 60
    while pid_alive(replicas.pids[0]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not pid_alive(replicas.pids[0]), "replica 1 did not exit after its drain"
    text = log.read_text(errors="replace")
    assert "no run cut" in text and "Traceback" not in text, text[-2000:]
    time.sleep(1)  # nginx logs a websocket when it closes
    seen = requests_since(replicas.run_dir, route, since)
    pages = [r for r in seen if r[0].startswith("GET /?") or r[0].startswith("GET / ")]
    streams = [r for r in seen if r[0].startswith("GET /_stcore/stream")]
    assert len(pages) == 2 and len(streams) == 2, seen
    for request, status, tried in pages + streams:
        assert tried.split(",")[-1].strip() == survivor and status in ("200", "101"), (request, status, tried)
    assert any(victim in tried for _, _, tried in pages + streams), f"nginx never tried the draining replica: {seen}"
