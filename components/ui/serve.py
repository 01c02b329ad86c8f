"""``python -m components serve``: ``streamlit run app.py`` that drains on SIGTERM.

Streamlit 1.67 stops its runtime on SIGTERM at once: every session is closed and the script
runs in flight are cut (bench/README.md, the SIGTERM drill: 20 of 20 searches never finished).
An orchestrator (Docker, Kubernetes, ``scripts/serve_replicas.sh``) sends SIGTERM to stop a
replica, so a reader who clicked just then lost the answer and had to reconnect.

This launcher is Streamlit's own command line (``streamlit.web.cli``: every ``streamlit run``
option works the same) with one change: the first SIGTERM or SIGINT lets the runs in flight finish
(at most ``drain_s`` seconds), then stops the server as Streamlit would; a second signal stops it
at once. Streamlit has no public hook for its signal handling, so this replaces
``streamlit.web.bootstrap._set_up_signal_handler`` and reads each session's state from the
runtime's session manager: private names, checked for the tested Streamlit version only
(:func:`drain_supported`); any other version runs with Streamlit's own handler and a warning.

While it drains, new readers go elsewhere (:class:`DrainGate`, an ASGI wrapper around Streamlit's
Starlette app): a new session's requests -- the page, the health check, and the websocket that
would start a session -- are answered ``503 Service Unavailable`` with ``Connection: close``, and
everything else (the open websockets, their media files, uploads, component files) is served as
before. Open-source nginx has no active health checks; its passive failover
(``proxy_next_upstream ... http_503``, deploy/nginx.conf) sends the same request on to another
replica, and three 503s in ``fail_timeout`` take the draining one out of the rotation. A Kubernetes
readiness probe on ``/_stcore/health`` sees the 503 too. The listening socket stays open: closing it
would send the draining replica's own sessions' media and upload requests to a replica that does
not know them.
"""
from __future__ import annotations

import asyncio
import importlib.metadata
import logging
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TESTED_STREAMLIT = "1.67.0"
DRAIN_S = 25.0  # below Docker's and Kubernetes' default 30 s grace before SIGKILL
POLL_S = 0.05
QUIET_S = 1.0  # the drain ends once no script has run for this long
ROOT = Path(__file__).resolve().parents[2]
log = logging.getLogger(__name__)


def drain_supported(version: str | None) -> bool:
    return version == TESTED_STREAMLIT


def installed_streamlit() -> str | None:
    try:
        return importlib.metadata.version("streamlit")
    except importlib.metadata.PackageNotFoundError:
        return None


def runs_in_flight(runtime: Any) -> int:
    """How many sessions are running their script now (runtime: Streamlit's ``Runtime``)."""
    from streamlit.runtime.app_session import AppSessionState
    sessions = runtime._session_mgr.list_active_sessions()
    return sum(1 for info in sessions if info.session._state == AppSessionState.APP_IS_RUNNING)


async def wait_for_runs(count: Callable[[], int], drain_s: float, quiet_s: float = QUIET_S) -> int:
    """Poll until nothing has run for ``quiet_s`` (a rerun the server has received but not yet
    started shows as running only a moment later) or ``drain_s`` has passed; the number still
    running at the end."""
    started = last_busy = time.monotonic()
    running = count()
    while time.monotonic() - started < drain_s:
        now = time.monotonic()
        if running:
            last_busy = now
        elif now - last_busy >= quiet_s:
            break
        await asyncio.sleep(POLL_S)
        running = count()
    return running


_DRAINING = {"on": False}  # set by the first SIGTERM / SIGINT (one server per process)
NEW_SESSION_PATHS = ("/", "/index.html", "/_stcore/health", "/_stcore/stream")  # what starts or checks a session
RETRY_AFTER_S = "5"


def draining() -> bool:
    return _DRAINING["on"]


class DrainGate:
    """Streamlit's ASGI app, with new sessions refused (503) while this server drains (see the module's note)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if not (_DRAINING["on"] and scope.get("type") in ("http", "websocket") and refused_path(scope.get("path", ""))):
            await self.app(scope, receive, send)
            return
        body = b"draining: this replica is shutting down, try another\n"
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                   (b"retry-after", RETRY_AFTER_S.encode()), (b"connection", b"close")]
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 503, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        elif "websocket.http.response" in scope.get("extensions", {}):  # an HTTP answer to the upgrade request
            await send({"type": "websocket.http.response.start", "status": 503, "headers": headers})
            await send({"type": "websocket.http.response.body", "body": body})
        else:
            await send({"type": "websocket.close", "code": 1013})  # "try again later" (uvicorn answers 403)


def refused_path(path: str) -> bool:
    """The paths a new reader's session starts with (any base URL in front)."""
    return any(path == p or (p != "/" and path.endswith(p)) for p in NEW_SESSION_PATHS)


def draining_handler(drain_s: float) -> Callable[[Any], None]:
    """A replacement for Streamlit's ``_set_up_signal_handler(server)``."""
    def set_up(server: Any) -> None:
        loop = asyncio.get_running_loop()
        state = {"draining": False}

        async def drain_then_stop() -> None:
            started = time.monotonic()
            left = await wait_for_runs(lambda: runs_in_flight(server._runtime), drain_s)
            print(f"serve: drained in {time.monotonic() - started:.2f} s"
                  + (f", {left} run(s) still running were stopped" if left else ", no run cut"), file=sys.stderr, flush=True)
            server.stop()

        def on_signal(signum: int, _frame: Any) -> None:
            if state["draining"]:  # a second signal: stop now
                loop.call_soon_threadsafe(server.stop)
                return
            state["draining"] = True
            _DRAINING["on"] = True  # DrainGate: new sessions go to another replica from now on
            print(f"serve: {signal.Signals(signum).name}: letting the runs in flight finish (at most {drain_s:g} s)",
                  file=sys.stderr, flush=True)
            loop.call_soon_threadsafe(lambda: loop.create_task(drain_then_stop()))

        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
            signal.signal(signum, on_signal)
    return set_up


def serve(streamlit_args: list[str], app: Path = ROOT / "app.py", drain_s: float = DRAIN_S) -> int:
    """Run ``streamlit run APP *streamlit_args`` with the draining signal handler."""
    from streamlit.web import bootstrap, cli
    if drain_supported(installed_streamlit()):
        from streamlit.web.server.starlette import starlette_server
        bootstrap._set_up_signal_handler = draining_handler(drain_s)  # type: ignore[assignment]
        make_app = starlette_server.create_starlette_app
        starlette_server.create_starlette_app = lambda runtime: DrainGate(make_app(runtime))  # type: ignore[assignment,return-value]
    else:
        log.warning("Streamlit %s is installed, draining on SIGTERM is tested with %s only: "
                    "Streamlit's own handler stops the runs in flight", installed_streamlit(), TESTED_STREAMLIT)
    try:
        cli.main.main(["run", str(app), *streamlit_args], prog_name="streamlit", standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
