"""Start the real app (``streamlit run app.py``) on a free loopback port for tests and benchmarks."""
from __future__ import annotations

import atexit
import contextlib
import functools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


STREAMLIT_RUN = ("-m", "streamlit", "run")
DRAINING_SERVE = ("-m", "components", "serve", "--app")  # components/ui/serve.py: drains on SIGTERM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not become healthy at {url} within {timeout}s")


def app_site(folder: Path) -> Path:
    """``folder`` set up to run the app from: a copy of app.py and .streamlit/config.toml.

    Streamlit serves ``static/`` next to the main script, and the app copies Leaflet there at
    start-up: run from here, it writes ``folder/static`` instead of the repository's. The
    ``components`` package is still the repository's (PYTHONPATH, see :func:`serve`).
    """
    (folder / ".streamlit").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / ".streamlit" / "config.toml", folder / ".streamlit" / "config.toml")
    shutil.copyfile(ROOT / "app.py", folder / "app.py")
    return folder / "app.py"


@functools.cache
def sealed_app() -> Path:
    """app.py in a temporary site (see :func:`app_site`) for this test process; removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="atlas-app-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return app_site(folder)


@contextlib.contextmanager
def serve(script: str | Path, env: dict[str, str], log, extra_args: tuple[str, ...] = (),
          timeout: float = 60.0, cwd: Path = ROOT, port: int | None = None,
          launcher: tuple[str, ...] = STREAMLIT_RUN) -> Iterator[tuple[str, subprocess.Popen]]:
    """``streamlit run script`` on a free loopback port (cwd: its ``.streamlit/config.toml`` applies);
    ``launcher=DRAINING_SERVE`` runs it through ``python -m components serve`` instead.

    The repository is on PYTHONPATH, so a script outside it still imports ``components``.
    Yields (base URL, process) once healthy; the server is always stopped afterwards.
    """
    env = dict(env, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p))
    port = port or free_port()
    proc = subprocess.Popen(
        [sys.executable, *launcher, str(script), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         *extra_args],
        cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, timeout=timeout)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextlib.contextmanager
def run_app(extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Yield the base URL of a running app (tiles off); the server is stopped afterwards.

    The app runs from :func:`sealed_app`'s temporary site with this process's environment (in
    tests: the temporary data, uploads and cache folders tests/conftest.py sets).
    """
    env = dict(os.environ, ATLAS_TILES="none", **(extra_env or {}))
    artifacts = ROOT / "artifacts"
    script = sealed_app()
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(open(artifacts / "streamlit.log", "a")) if artifacts.is_dir() else subprocess.DEVNULL
        url, _proc = stack.enter_context(serve(script, env, log, cwd=script.parent))
        yield url
