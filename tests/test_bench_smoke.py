"""Smoke test of the app benchmark: ``bench/bench_app.py --quick`` runs end to end.

Only checks that it finishes and writes its JSON with the expected keys; the
figures themselves depend on the machine, so nothing is asserted about them.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.server import CHROMIUM, ROOT

pytest.importorskip("playwright.sync_api", reason="playwright is in requirements.txt")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed")

TIMEOUT_S = 300
TOP_KEYS = {"date", "machine", "git", "config", "loadavg_start", "loadavg_end", "gazetteer", "ingest", "app", "baseline",
            "budgets", "elapsed_s"}
MACHINE_KEYS = {"nproc", "cpu_model", "ram_gb", "chromium", "python", "streamlit", "streamlit_folium"}
SERVER_KEYS = {"page_load", "pan_zoom", "clicks", "rss_kb", "first_load_after_start_ms"}
CLICK_KEYS = {"click_to_tooltip_ms", "hover_to_tooltip_ms", "click_to_panel_ms", "server_run_ms",
              "frames_sent_per_click", "per_zone", "server_timeline"}
BYTES_KEYS = {"component_static", "leaflet", "ws_map_delta", "map_payload_wire", "ws_received_total",
              "http_total", "page_total_wire"}


def test_quick_benchmark_runs_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "app.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_app.py"), "--quick", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_S,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert out.is_file()
    result = json.loads(out.read_text(encoding="utf-8"))
    assert TOP_KEYS <= result.keys()
    assert MACHINE_KEYS <= result["machine"].keys()
    assert result["config"]["quick"] is True
    for name in ("app", "baseline"):
        part = result[name]
        assert SERVER_KEYS <= part.keys(), name
        assert CLICK_KEYS <= part["clicks"].keys(), name
        assert BYTES_KEYS <= part["page_load"]["bytes_first_load"].keys(), name
        assert {"p50", "p95"} <= part["clicks"]["click_to_panel_ms"].keys(), name
    assert {"median_ms", "n"} <= result["gazetteer"].keys()
    assert [r["size_mb"] for r in result["ingest"]["rows"]] == pytest.approx([0.25, 0.5], abs=0.02)  # --quick sizes
    assert all(r["mb_per_s"] > 0 and r["passages"] > 0 for r in result["ingest"]["rows"])
    assert {"p50", "n"} <= result["app"]["clicks"]["server_run_inside_ms"].keys()
    names = {b["name"] for b in result["budgets"]}
    assert len(names) >= 11
    assert all({"value", "limit", "unit", "pass"} <= b.keys() for b in result["budgets"])
    assert "budgets:" in proc.stdout
