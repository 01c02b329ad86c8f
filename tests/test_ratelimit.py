"""Per-session search limit (issue 18): the sliding window, and the app refusing the search over it."""
from __future__ import annotations

import pytest

from components.ratelimit import admit
from tests.test_app_store import messages, result_counts, search_for
from tests.test_apptest import run_app


def test_admit_counts_a_sliding_window() -> None:
    stamps: list[float] = []
    assert [admit(stamps, t, 3, 60.0) for t in (0.0, 1.0, 2.0)] == [0.0, 0.0, 0.0]
    assert admit(stamps, 30.0, 3, 60.0) == pytest.approx(30.0)   # the oldest leaves the window at 60 s
    assert stamps == [0.0, 1.0, 2.0]                              # a refused action is not recorded
    assert admit(stamps, 60.0, 3, 60.0) == 0.0
    assert stamps == [1.0, 2.0, 60.0]


def test_searches_over_the_session_limit_are_refused_with_the_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_SEARCHES_PER_MINUTE", "2")
    at = search_for(search_for(run_app({"tab": "Search"}), "Homs"), "Idlib")
    assert "results" in result_counts(at)
    at.run()                      # the same search shown again is not counted
    at = search_for(at, "Daraa")
    assert "Too many searches from this page: try again in" in messages(at)
    assert not any('class="atlas-search-summary"' in str(h.value) for h in at.html)
    fresh = search_for(run_app({"tab": "Search"}), "Daraa")   # another page (session) has its own allowance
    assert "results" in result_counts(fresh)
