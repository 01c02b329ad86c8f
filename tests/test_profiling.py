"""The app's own per-run timer (ATLAS_PROFILE), which bench/bench_app.py reads."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.ui.profiling import run_timer


def test_no_file_without_the_flag(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("ATLAS_PROFILE", raising=False)
    monkeypatch.chdir(tmp_path)
    with run_timer():
        pass
    assert list(tmp_path.iterdir()) == []


def test_completed_and_interrupted_runs_are_told_apart(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "runs.jsonl"
    monkeypatch.setenv("ATLAS_PROFILE", str(target))
    with run_timer():
        sum(range(10_000))
    with pytest.raises(KeyboardInterrupt), run_timer():  # Streamlit stops a run for a newer rerun with an exception
        raise KeyboardInterrupt
    runs = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r["completed"] for r in runs] == [True, False]
    assert all(r["ms"] >= 0 and r["t"] > 1.7e9 for r in runs)
