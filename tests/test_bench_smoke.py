"""Smoke test of the app benchmark: ``bench/bench_app.py --quick`` runs end to end.

Checks that it finishes, writes its JSON with the expected keys, and that every
figure is a sane number (finite, positive, in a plausible range, p50 <= p95,
budgets with a boolean verdict). How fast is not asserted: that depends on the
machine. Its logs and the servers' sites go to a temporary folder (--results).
"""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from tests.server import ROOT

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
        [sys.executable, str(ROOT / "bench" / "bench_app.py"), "--quick", "--out", str(out),
         "--results", str(tmp_path / "results")],
        cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_S,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert out.is_file()
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result.keys() >= TOP_KEYS
    assert result["machine"].keys() >= MACHINE_KEYS
    assert result["config"]["quick"] is True
    for name in ("app", "baseline"):
        part = result[name]
        assert part.keys() >= SERVER_KEYS, name
        assert part["clicks"].keys() >= CLICK_KEYS, name
        assert part["page_load"]["bytes_first_load"].keys() >= BYTES_KEYS, name
        assert {"p50", "p95"} <= part["clicks"]["click_to_panel_ms"].keys(), name
    assert {"median_ms", "n"} <= result["gazetteer"].keys()
    assert [r["size_mb"] for r in result["ingest"]["rows"]] == pytest.approx([0.25, 0.5], abs=0.02)  # --quick sizes
    assert all(r["mb_per_s"] > 0 and r["passages"] > 0 for r in result["ingest"]["rows"])
    assert {"p50", "n"} <= result["app"]["clicks"]["server_run_inside_ms"].keys()
    names = {b["name"] for b in result["budgets"]}
    assert len(names) >= 11
    assert all({"value", "limit", "unit", "pass"} <= b.keys() for b in result["budgets"])
    assert "budgets:" in proc.stdout
    assert_figures_are_sane(result)


def number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def assert_timing(s: dict, what: str, at_least: int = 1) -> None:
    """A summary of timings: n values, 0 <= min <= p50 <= p95 <= max < 60 s."""
    assert s["n"] >= at_least, what
    assert all(number(s[k]) for k in ("p50", "p95", "min", "max")), (what, s)
    assert 0 <= s["min"] <= s["p50"] <= s["p95"] <= s["max"] < 60_000, (what, s)


def assert_figures_are_sane(result: dict) -> None:
    clicks = result["config"]["clicks"]
    for name in ("app", "baseline"):
        part = result[name]
        assert number(part["first_load_after_start_ms"]) and 0 < part["first_load_after_start_ms"] < 120_000, name
        assert_timing(part["page_load"]["drawn_ms"], f"{name} page load")
        assert all(0 < ms < 60_000 for ms in part["page_load"]["runs_ms"]), name
        assert_timing(part["clicks"]["click_to_panel_ms"], f"{name} click -> panel", at_least=clicks)
        bytes_ = part["page_load"]["bytes_first_load"]
        assert bytes_["leaflet"]["wire"] > 0 and "leaflet.js" in bytes_["leaflet"]["files"], name  # served locally
        assert 0 < bytes_["map_payload_wire"] <= bytes_["page_total_wire"], name
        assert bytes_["http_total"]["wire"] > 0 and bytes_["ws_received_total"] > 0, name
        rss = [v for v in part["rss_kb"].values() if v is not None]
        assert rss and all(number(v) and 10_000 < v < 16_000_000 for v in rss), (name, part["rss_kb"])  # 10 MB..16 GB
    assert_timing(result["app"]["clicks"]["server_run_inside_ms"], "server run inside the app")
    assert number(result["gazetteer"]["median_ms"]) and 0 < result["gazetteer"]["median_ms"] < 10_000
    assert all(number(r["mb_per_s"]) and 0 < r["mb_per_s"] < 1_000 for r in result["ingest"]["rows"])
    measured = [b for b in result["budgets"] if "skipped" not in b.get("note", "")]
    assert len(measured) >= 9, result["budgets"]  # --quick skips only the memory budgets
    for budget in result["budgets"]:
        assert number(budget["limit"]) and budget["unit"], budget
        if budget in measured:
            assert isinstance(budget["pass"], bool) and number(budget["value"]), budget  # a verdict on a figure
        else:
            assert budget["pass"] is None and budget["value"] is None, budget
    assert 0 < result["elapsed_s"] < TIMEOUT_S
