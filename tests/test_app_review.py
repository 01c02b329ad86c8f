"""Sign-in and review in the app (AppTest, the real script): anonymous visitors get no write control
and cannot reach one; a curator signs in through the real form, reviews, is limited, signs out."""
from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components.auth import MAX_FAILURES
from components.review import fact_target, history, place_target
from components.store import open_store
from components.store.ingest import StoreMeta, add_upload
from components.ui.review import item_key
from tests import pgserver
from tests.curators import NAME, PASSWORD, make_curator, sign_in_app
from tests.test_app_store import messages, until_ingested
from tests.test_apptest import html_of, run_app
from tests.test_review import TALKS, span

WRITE_KEYS = ("atlas_upload", "atlas_remove_talks", "atlas_remove_confirm_talks", "atlas_sign_out")


def add_talks() -> None:
    with open_store() as store:  # the test's store: ATLAS_DATABASE_URL, else ATLAS_DB
        result = add_upload(store, TALKS.encode(), "talks.txt", Path(os.environ["ATLAS_UPLOADS"]),
                            StoreMeta(published=dt.date(2017, 8, 4), date_precision="day"), added_by="someone")
    assert result.status == "added", result.message


def keys(at: AppTest) -> set[str]:
    """The keys of every input widget on the page."""
    kinds = ("button", "form_submit_button", "checkbox", "text_input", "selectbox", "radio", "file_uploader")
    return {w.key for kind in kinds for w in getattr(at, kind) if getattr(w, "key", None)}


def review_keys(at: AppTest) -> set[str]:
    return {k for k in keys(at) if k.startswith("rv-")}


def fact_key(quote: str, kind: str) -> str:
    return item_key(fact_target("talks", *span(TALKS, quote), kind))


def reviews() -> list:
    with open_store() as store:
        return history(store, doc_id="talks")


@pytest.mark.parametrize("tab", ["Add a document", "Review"])
def test_anonymous_visitors_get_the_sign_in_form_and_no_write_control(tab: str) -> None:
    add_talks()
    at = run_app({"tab": tab})
    assert not (set(WRITE_KEYS) & keys(at)) and not review_keys(at)
    assert not any(b.label in ("Remove", "Confirm", "Reject", "Revert", "Save correction") for b in at.button)
    assert {"atlas_signin_name", "atlas_signin_password", "atlas_signin_submit"} <= keys(at)
    assert any("sign in as a curator" in str(i.value) for i in at.info)


def test_wrong_password_then_rate_limited_then_signed_in_and_out() -> None:
    make_curator()
    at = sign_in_app(run_app({"tab": "Add a document"}), password="wrong password")
    assert "Wrong name or password." in messages(at) and "atlas_upload" not in keys(at)
    for _ in range(MAX_FAILURES - 1):
        at = sign_in_app(at, password="wrong password")
    at = sign_in_app(at)  # the right password, but the name is locked now
    assert "Too many failed sign-ins" in messages(at) and "atlas_upload" not in keys(at)

    at = sign_in_app(run_app({"tab": "Add a document"}), name="Other Curator")
    assert "atlas_upload" in keys(at) and "Signed in as <b" in html_of(at) and "Other Curator" in html_of(at)
    at.button(key="atlas_sign_out").click().run()
    assert "Signed out." in messages(at) and "atlas_upload" not in keys(at) and "atlas_signin_name" in keys(at)


def test_an_expired_sign_in_loses_the_controls(monkeypatch) -> None:
    monkeypatch.setenv("ATLAS_SESSION_HOURS", "0.0005")  # 1.8 s
    at = sign_in_app(run_app({"tab": "Add a document"}))
    assert "atlas_upload" in keys(at)
    time.sleep(2.0)
    at.run()
    assert "Your sign-in expired" in messages(at) and "atlas_upload" not in keys(at)


def test_a_crafted_click_on_a_control_the_session_no_longer_has_does_nothing() -> None:
    """After signing out, a client replays a click on the Confirm button it saw while signed in: the
    control is not rendered for the anonymous session, so Streamlit has no callback for it and nothing is stored."""
    add_talks()
    at = sign_in_app(run_app({"tab": "Review"}))
    at.selectbox(key="atlas_review_doc").set_value("talks").run()
    confirm_id = at.button(key=f"rv-confirm-{fact_key('84 settlements', 'settlements')}").id
    at.button(key="atlas_sign_out").click().run()
    assert not review_keys(at)
    crafted = at._tree.get_widget_states()  # what the browser sends on a rerun, plus a forged click
    forged = crafted.widgets.add()
    forged.id, forged.trigger_value = confirm_id, True
    at._run(widget_state=crafted)
    assert not at.exception
    assert reviews() == [] and not review_keys(at)


def test_a_forged_session_value_does_not_sign_anyone_in() -> None:
    """A client sends a widget state whose id is the session key that holds the curator (a JSON object
    like the real one): it is not a widget of the app, so it never becomes a curator session."""
    add_talks()
    make_curator()
    at = run_app({"tab": "Review"})
    crafted = at._tree.get_widget_states()
    for widget_id in ("atlas_curator", "$$ID-0-atlas_curator"):
        forged = crafted.widgets.add()
        forged.id, forged.json_value = widget_id, json.dumps({"name": NAME, "at": time.time()})
    # Streamlit itself stops this session's runs on widget ids it does not know (only the forging session
    # is affected); what matters here: no run of it ever has a curator or a write control
    for _ in range(2):
        at._run(widget_state=crafted)
        assert not review_keys(at) and "Signed in as" not in html_of(at) and "atlas_upload" not in keys(at)
    assert reviews() == []


def test_curator_confirms_corrects_rejects_and_the_zone_panel_shows_the_reviewed_fact() -> None:
    add_talks()
    at = sign_in_app(run_app({"tab": "Review"}))
    at.selectbox(key="atlas_review_doc").set_value("talks").run()
    text = html_of(at)
    assert text.index("contradicts curated fact north-homs.population") < text.index("party: Egypt")  # importance first
    at.button(key=f"rv-confirm-{fact_key('84 settlements', 'settlements')}").click().run()
    assert "Saved: confirmed: settlements: 84" in messages(at)
    egypt = fact_key("Cairo", "party")
    at.text_input(key=f"rv-reason-{egypt}").input("a capital city, not a party")
    at.button(key=f"rv-reject-{egypt}").click().run()
    assert "Saved: rejected" in messages(at)
    cairo = item_key(place_target("talks", "Cairo"))
    at.checkbox(key=f"rv-notplace-{cairo}").check()
    at.button(key=f"rv-correct-{cairo}").click().run()
    assert "Saved: corrected: “Cairo”: not a place" in messages(at)
    population = fact_key("more than 200,000 people", "population")
    at.text_input(key=f"rv-value-{population}").input("many")
    at.button(key=f"rv-correct-{population}").click().run()
    assert "Not saved: value: 'many' is not a whole number" in messages(at)
    assert [r.action for r in reviews()] == ["correct", "reject", "confirm"]  # nothing stored for the bad one
    assert 'data-state="rejected"' in html_of(at) and "Revert" in [b.label for b in at.button]

    zone = run_app({"zone": "north-homs"})
    facts = next(str(h.value) for h in zone.html if 'class="atlas-facts"' in str(h.value))
    assert 'data-fact="reviewed.talks.' in facts and f"reviewed by {NAME} on" in facts and "84 settlements" in facts
    start, end = span(TALKS, "Cairo")
    rejected = f"party: Egypt — “Cairo” <small>characters {start}–{end}</small>"
    turkey = "party: Turkey — “Ankara” <small>characters {}–{}</small>".format(*span(TALKS, "Ankara"))
    assert rejected not in html_of(zone)
    reader = run_app({"tab": "Read a document"})
    reader.selectbox(key="atlas_reader_doc").set_value("talks").run()
    assert turkey in html_of(reader) and rejected not in html_of(reader)  # rejected: gone from the extracted lists


def test_a_second_curator_sees_who_reviewed_first() -> None:
    add_talks()
    first = sign_in_app(run_app({"tab": "Review"}))
    second = sign_in_app(run_app({"tab": "Review"}), name="Second Curator")
    for at in (first, second):
        at.selectbox(key="atlas_review_doc").set_value("talks").run()
    key = f"rv-confirm-{fact_key('84 settlements', 'settlements')}"
    first.button(key=key).click().run()
    second.button(key=key).click().run()
    assert f"Not saved: already reviewed by {NAME} at" in messages(second)
    assert [(r.action, r.curator) for r in reviews()] == [("confirm", NAME)]


def test_per_curator_upload_limit_is_a_clear_message(monkeypatch) -> None:
    monkeypatch.setenv("ATLAS_CURATOR_UPLOADS", "1")
    at = sign_in_app(run_app({"tab": "Add a document"}))
    at.file_uploader(key="atlas_upload").upload("one.txt", b"First article\nShelling in Daraa.\n", "text/plain")
    at.run()
    assert "It is now part of the corpus" in messages(until_ingested(at))
    at.file_uploader(key="atlas_upload").upload("two.txt", b"Second article\nShelling in Idlib.\n", "text/plain")
    at.run()
    assert "Not added: upload limit reached" in messages(at) and "ATLAS_CURATOR_UPLOADS" in messages(at)
    with open_store(Path(os.environ["ATLAS_DB"])) as store:
        added = store.query("SELECT doc_id, added_by FROM documents WHERE source = 'upload'")
    assert [tuple(r) for r in added] == [("one", NAME)]
    assert PASSWORD not in html_of(at)


@pytest.fixture()
def own_pg_server(monkeypatch: pytest.MonkeyPatch):
    """A PostgreSQL server of this test's own (it is stopped and started), the app's store in a database on it."""
    server = pgserver.start()
    try:
        monkeypatch.setenv("ATLAS_DATABASE_URL", server.new_database())
        yield server
    finally:
        pgserver.stop(server)


def test_a_database_restart_during_a_review_says_so_then_reconnects_and_loses_nothing(own_pg_server) -> None:
    """The store's server stops between two clicks of a signed-in curator: the click says the store is unavailable
    (no traceback, still signed in); once it is back the next click is saved; a restart between clicks is not
    even noticed; every review acknowledged as saved is in the database."""
    add_talks()
    at = sign_in_app(run_app({"tab": "Review"}))
    at.selectbox(key="atlas_review_doc").set_value("talks").run()
    at.button(key=f"rv-confirm-{fact_key('84 settlements', 'settlements')}").click().run()
    assert "Saved: confirmed: settlements: 84" in messages(at)

    pgserver.halt(own_pg_server)
    egypt = fact_key("Cairo", "party")
    at.text_input(key=f"rv-reason-{egypt}").input("a capital city, not a party")
    at.button(key=f"rv-reject-{egypt}").click().run()
    assert not at.exception, at.exception
    shown = messages(at) + html_of(at)
    assert "Not saved: corpus store" in shown and "unavailable" in shown and "check the database server is running" in shown
    assert "Traceback" not in shown and "psycopg" not in shown
    assert "Review needs the corpus store, which is not available" in [str(c.value) for c in at.caption][-1]
    assert "atlas_signin_name" not in keys(at), "a store that is down for a moment signed the curator out"

    pgserver.start_again(own_pg_server)
    at.run()  # the curator's next action: the page again, on the same document, the typed reason kept
    assert not at.exception, at.exception
    assert at.selectbox(key="atlas_review_doc").value == "talks"
    assert at.text_input(key=f"rv-reason-{egypt}").value == "a capital city, not a party"
    at.button(key=f"rv-reject-{egypt}").click().run()
    assert "Saved: rejected" in messages(at), messages(at)

    pgserver.restart(own_pg_server)  # between two clicks: the app's connection is dropped, the click works at once
    cairo = item_key(place_target("talks", "Cairo"))
    at.checkbox(key=f"rv-notplace-{cairo}").check()
    at.button(key=f"rv-correct-{cairo}").click().run()
    assert "Saved: corrected: “Cairo”: not a place" in messages(at), messages(at)
    assert [(r.action, r.curator) for r in reviews()] == [("correct", NAME), ("reject", NAME), ("confirm", NAME)]
