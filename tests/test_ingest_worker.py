"""Issue 17: an added document is ingested by a worker process, never in a page's script run.

Real worker processes (``python -m components worker``) on a real store file: two workers never
ingest the same document, a killed worker leaves its document pending and the next worker finishes
it, a document that keeps stopping workers fails with a clear reason, and the app's start-up sync
leaves queued documents to the worker. The worker runs in Linux's SCHED_IDLE policy with idle I/O and
pauses between passages while a server has script runs in flight (:mod:`components.runsignal`).
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from components.runsignal import STALE_S, RunsInFlight, YieldToServer, runs_folder, server_busy
from components.store import open_store
from components.store.ingest import add_upload, queue_upload, reingest_stale, start_up
from components.store.queries import store_revision
from components.store.queue import MAX_ATTEMPTS, WorkerId, claim_next, run_worker, upload_progress
from components.worker import start_worker, worker_command

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "Convoy report {n}\n\nShelling hit Nawa in the southern de-escalation zone on Thursday, residents said.\n"
BIG = "Idlib Homs 84 settlements near Nawa and Daraa on 6 August 2017.\n" * 25_000  # ~1.6 MB: seconds of pipeline
TIMEOUT_S = 180.0


def wait_for(condition, what: str, timeout_s: float = TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout_s:g} s"
        time.sleep(0.1)


def worker_env(db: Path | str) -> dict[str, str]:
    """The environment a worker started by hand needs: a PostgreSQL store is named by ATLAS_DATABASE_URL."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return {**env, "ATLAS_DATABASE_URL": db} if isinstance(db, str) else env


def statuses(db: Path | str) -> dict[str, str]:
    with open_store(db) as store:
        return {r[0]: r[1] for r in store.query("SELECT doc_id, status FROM documents")}


def test_queue_upload_stores_the_file_and_records_it_pending_without_ingesting(tmp_path: Path, store_location) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    with open_store(store_location) as store:
        before = store_revision(store)
        result = queue_upload(store, ARTICLE.format(n=1).encode(), "convoy.txt", uploads)
        assert (result.status, result.doc_id) == ("queued", "convoy")
        assert store_revision(store) == before  # nothing to show yet: no session reloads the dataset for it
        assert (uploads / "convoy.txt").read_text(encoding="utf-8") == ARTICLE.format(n=1)
        assert store.count("SELECT count(*) FROM passages") == 0  # no pipeline ran
        assert upload_progress(store, "convoy").stage == "queued"
        again = queue_upload(store, ARTICLE.format(n=1).encode(), "again.txt", uploads)
        assert again.status == "duplicate" and "already in the corpus as convoy" in again.message
        assert run_worker(store, idle_exit_s=0) == 1 and upload_progress(store, "convoy").stage == "done"
        assert store_revision(store) != before  # its ingestion's end is what every session then sees


def test_two_workers_ingest_every_document_exactly_once(tmp_path: Path, store_location) -> None:
    uploads, db = tmp_path / "uploads", store_location
    uploads.mkdir()
    with open_store(db) as store:
        for n in range(12):
            assert queue_upload(store, ARTICLE.format(n=n).encode(), f"convoy-{n}.txt", uploads).status == "queued"
    workers = [subprocess.Popen(worker_command(db, idle_exit_s=3), cwd=ROOT, stderr=subprocess.PIPE, text=True,
                                env=worker_env(db)) for _ in range(2)]
    counts = []
    for worker in workers:
        _, err = worker.communicate(timeout=TIMEOUT_S)
        assert worker.returncode == 0, err
        counts.append(int(err.split("worker: ")[1].split()[0]))
    assert sum(counts) == 12, counts  # each document taken by exactly one worker
    assert set(statuses(db).values()) == {"ok"}
    with open_store(db) as store:
        assert store.count("SELECT count(*) FROM ingest_claims") == 0
        assert store.count("SELECT count(*) FROM passages") == store.count("SELECT count(DISTINCT doc || '/' || idx) FROM passages")
        assert store.count("SELECT count(DISTINCT doc) FROM passages") == 12


def test_a_killed_worker_leaves_the_document_pending_and_the_next_worker_finishes_it(tmp_path: Path, store_location) -> None:
    uploads, db = tmp_path / "uploads", store_location
    uploads.mkdir()
    with open_store(db) as store:
        assert queue_upload(store, BIG.encode(), "big.txt", uploads).status == "queued"
        first = start_worker(db, idle_exit_s=30)
        wait_for(lambda: upload_progress(store, "big").stage == "ingesting", "the first worker takes the document")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
        assert store.query("SELECT status FROM documents WHERE doc_id = 'big'")[0][0] == "pending"
        assert store.count("SELECT count(*) FROM passages") == 0  # nothing half-written
        assert upload_progress(store, "big").stage == "queued"  # its claim died with it (same host, pid gone)
        second = start_worker(db, idle_exit_s=2)
        wait_for(lambda: upload_progress(store, "big").stage == "done", "the second worker finishes it")
        assert second.wait(timeout=TIMEOUT_S) == 0
        assert store.count("SELECT count(*) FROM passages WHERE doc = (SELECT id FROM documents WHERE doc_id = 'big')") > 0
        assert store.count("SELECT count(*) FROM ingest_claims") == 0


def test_a_claim_whose_lease_ran_out_is_taken_again_and_a_document_that_keeps_stopping_workers_fails(
        tmp_path: Path, store_location) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    other_host = WorkerId("another-replica", 1)  # its process cannot be checked from here: only its lease counts
    with open_store(store_location) as store:
        queue_upload(store, ARTICLE.format(n=1).encode(), "convoy.txt", uploads)
        assert claim_next(store, other_host, lease_s=60) is not None
        assert claim_next(store, WorkerId.this_process()) is None  # held by a live lease
        assert upload_progress(store, "convoy").stage == "ingesting"
        with store.transaction() as conn:
            conn.execute("UPDATE ingest_claims SET until = 0")  # the replica died: its lease runs out
        assert claim_next(store, other_host, lease_s=0.01) is not None  # attempt 2
        time.sleep(0.05)
        assert claim_next(store, other_host, lease_s=0.01) is not None  # attempt 3
        time.sleep(0.05)
        assert claim_next(store, WorkerId.this_process()) is None  # a 4th attempt is refused: failed instead
        progress = upload_progress(store, "convoy")
        assert progress.stage == "failed" and f"started {MAX_ATTEMPTS} times and never finished" in progress.failure
        assert reingest_stale(store, workers=1) == []  # not run again in a server's start-up either


def test_the_apps_start_up_leaves_queued_documents_to_the_worker(tmp_path: Path, store_location) -> None:
    uploads, seeds = tmp_path / "uploads", tmp_path / "seeds"
    uploads.mkdir()
    seeds.mkdir()
    with open_store(store_location) as store:
        add_upload(store, ARTICLE.format(n=0).encode(), "done.txt", uploads)
        queue_upload(store, ARTICLE.format(n=1).encode(), "queued.txt", uploads)
        report = start_up(store, seeds, uploads, background=True)
        assert report.resumed == ["queued"] and report.count("queued") == 1 and report.count("unchanged") == 1
        assert upload_progress(store, "queued").stage == "queued"  # not ingested in this (the page's) process
        report = start_up(store, seeds, uploads)  # the CLI's start-up finishes it in-process
        assert report.resumed == ["queued"] and upload_progress(store, "queued").stage == "done"


def test_a_worker_exits_when_the_process_that_started_it_is_gone(tmp_path: Path) -> None:
    db = tmp_path / "atlas.db"
    open_store(db).close()
    starter = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from components.worker import start_worker; "
        "print(start_worker(Path(sys.argv[1]), idle_exit_s=600).pid, flush=True); time.sleep(600)"), str(db)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    worker_pid = int(starter.stdout.readline())
    starter.kill()
    starter.wait(timeout=30)

    def gone() -> bool:
        try:
            os.kill(worker_pid, 0)
        except ProcessLookupError:
            return True
        with open(f"/proc/{worker_pid}/stat", encoding="ascii") as handle:  # an exited, unreaped child of init
            return handle.read().split(") ")[1].startswith("Z")

    wait_for(gone, "the orphaned worker exits", timeout_s=60)


def test_the_uploaders_page_restarts_a_killed_worker_and_shows_the_document_done() -> None:
    """The app's own worker is killed mid-ingest: the uploader's progress note sees the document queued with
    no live worker, starts another, and ends with the usual confirmation."""
    from components import worker
    from tests.test_app_store import curator_app, messages, until_ingested, upload

    db = Path(os.environ["ATLAS_DB"])
    at = upload(curator_app({"tab": "Add a document"}), "big.txt", BIG.encode(), wait=False)
    first = worker._workers[str(db.resolve())]
    with open_store(db) as store:
        wait_for(lambda: upload_progress(store, "big").stage == "ingesting", "the app's worker takes the upload")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
        assert upload_progress(store, "big").stage == "queued"
    at = until_ingested(at.run())
    assert "Added “big.txt” as big. It is now part of the corpus." in messages(at), messages(at)
    assert worker._workers[str(db.resolve())].pid != first.pid  # a new worker finished it
    # the app's script runs told the worker they were in flight (the marker's folder was made) and left no marker
    assert runs_folder(db).is_dir() and not server_busy(db) and list(runs_folder(db).iterdir()) == []


def test_opening_the_add_tab_starts_the_worker_before_anyone_signs_in_and_other_tabs_do_not() -> None:
    """The worker loads its gazetteer index and language model while the curator signs in and chooses the
    file (an upload right after sign-in is ingested at once); reading the other tabs starts nothing."""
    from components import worker
    from tests.test_apptest import run_app

    key = str(Path(os.environ["ATLAS_DB"]).resolve())
    worker.stop_workers()
    at = run_app({"tab": "Search"})
    assert key not in worker._workers
    at = run_app({"tab": "Add a document"})
    assert at.text_input(key="atlas_signin_name") is not None  # the sign-in form: nobody is signed in
    process = worker._workers[key]
    try:
        assert process.poll() is None
        wait_for(lambda: os.sched_getscheduler(process.pid) == os.SCHED_IDLE, "the tab's worker runs in SCHED_IDLE")
    finally:
        worker.stop_workers()


def test_the_worker_process_runs_in_sched_idle_with_idle_io_and_nice_19(tmp_path: Path) -> None:
    """Linux runs a SCHED_IDLE process only on a core nothing else wants (nice 19 alone still takes a share
    of a busy core); the idle I/O class waits for an otherwise idle disk."""
    db = tmp_path / "atlas.db"
    open_store(db).close()
    process = start_worker(db, idle_exit_s=60)
    try:
        assert os.sched_getscheduler(process.pid) == os.SCHED_IDLE  # set by the starter: its imports already yield
        assert psutil.Process(process.pid).ionice().ioclass == psutil.IOPRIO_CLASS_IDLE
        assert os.getpriority(os.PRIO_PROCESS, process.pid) == 19
        assert os.sched_getscheduler(0) != os.SCHED_IDLE  # the process that started it is left alone
    finally:
        process.terminate()
        process.wait(timeout=30)
    by_hand = subprocess.Popen(worker_command(db, idle_exit_s=60), cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:  # ``python -m components worker`` started some other way lowers itself
        wait_for(lambda: os.sched_getscheduler(by_hand.pid) == os.SCHED_IDLE, "a worker started by hand switches to SCHED_IDLE")
        wait_for(lambda: psutil.Process(by_hand.pid).ionice().ioclass == psutil.IOPRIO_CLASS_IDLE, "... and idle I/O")
    finally:
        by_hand.terminate()
        by_hand.wait(timeout=30)


def test_a_servers_runs_in_flight_show_as_a_marker_file_and_a_stale_marker_is_ignored(tmp_path: Path) -> None:
    db = tmp_path / "atlas.db"
    runs = RunsInFlight(db)
    assert not server_busy(db)  # no folder yet
    with runs.run():
        with runs.run():
            assert server_busy(db)
        assert server_busy(db)  # one run still in flight
    assert not server_busy(db) and list(runs_folder(db).iterdir()) == []
    other = RunsInFlight(db)  # another replica's runs on the same store
    other.marker = runs_folder(db) / "other-host-1"
    with other.run(), runs.run():
        pass
    with other.run():
        assert server_busy(db)  # this process has none in flight, the other has
    with runs.run():  # a server killed during a run leaves its marker: ignored once stale
        old = time.time() - STALE_S - 1
        os.utime(runs.marker, (old, old))
        assert not server_busy(db)


def test_the_apps_script_run_signal_marks_the_configured_store(tmp_path: Path, monkeypatch) -> None:
    from components.ui.data import script_run_signal

    db = tmp_path / "elsewhere.db"
    monkeypatch.setenv("ATLAS_DB", str(db))
    with script_run_signal():
        assert server_busy(db)
    assert not server_busy(db)
    monkeypatch.setenv("ATLAS_TILES", "not-a-setting-value")  # bad settings: no signal, no error (the run says why)
    with script_run_signal():
        pass


def ingest_with(tmp_path: Path, busy: bool) -> tuple[YieldToServer, dict[str, int]]:
    """One 40-article document ingested by ``run_worker`` with the worker's pause, a server run in flight or not."""
    uploads, db = tmp_path / "uploads", tmp_path / "atlas.db"
    uploads.mkdir(parents=True)
    pause = YieldToServer(db, quantum_s=0.0, max_wait_s=0.01)
    with open_store(db) as store, (RunsInFlight(db).run() if busy else contextlib.nullcontext()):
        text = "".join(ARTICLE.format(n=n) for n in range(40))
        assert queue_upload(store, text.encode(), "convoys.txt", uploads).status == "queued"
        assert server_busy(db) == busy
        assert run_worker(store, idle_exit_s=0, pause=pause) == 1
        assert upload_progress(store, "convoys").stage == "done"  # paused, never stopped
        counts = {table: store.count(f"SELECT count(*) FROM {table}") for table in ("passages", "mentions", "zone_links",
                                                                                     "candidates")}
    return pause, counts


def test_the_worker_pauses_between_passages_while_a_server_run_is_in_flight_and_ingests_the_same(tmp_path: Path) -> None:
    busy, busy_rows = ingest_with(tmp_path / "busy", True)
    quiet, quiet_rows = ingest_with(tmp_path / "quiet", False)
    assert busy_rows == quiet_rows and busy_rows["passages"] >= 40 and busy_rows["mentions"] > 0
    assert busy.paused >= 2 * busy_rows["passages"]  # before each passage's two steps
    assert quiet.paused == 0 and quiet.waited_s == 0.0


def test_a_newly_ingested_document_gives_new_markers_but_not_a_new_base_map(tmp_path: Path, monkeypatch) -> None:
    """The worker's commit changes the dataset version (every session sees the document), but the base map
    (zones, basemap: the costly part) is keyed by what it is drawn from and is not built again."""
    from components.ui.data import current_app_data
    from components.ui.mapview import cached_map
    from components.worker import stop_workers

    uploads, db = tmp_path / "uploads", tmp_path / "atlas.db"
    uploads.mkdir()
    for name, value in (("ATLAS_DATA_ROOT", ROOT), ("ATLAS_UPLOADS", uploads), ("ATLAS_DB", db), ("ATLAS_TILES", "none")):
        monkeypatch.setenv(name, str(value))
    try:
        with open_store(db) as store:
            start_up(store, ROOT / "seeds", uploads)
        before = current_app_data()
        args, markers = cached_map(before, before.version, before.tiles)
        with open_store(db) as store:
            text = "".join(ARTICLE.format(n=n) + "Shelling hit Rastan and Talbiseh near Homs.\n\n" for n in range(30))
            assert queue_upload(store, text.encode(), "convoys.txt", uploads).status == "queued"
            assert run_worker(store, idle_exit_s=0) == 1
        after = current_app_data()
        assert after.version != before.version and after.map_version == before.map_version
        args_after, markers_after = cached_map(after, after.version, after.tiles)
        assert args_after is args  # the very same cached arguments: not built again
        assert markers_after != markers  # the new document's places are on the map
    finally:
        stop_workers()


def test_a_postgresql_store_signals_through_a_folder_in_the_temporary_directory(tmp_path: Path) -> None:
    from components.runsignal import runs_in_flight
    url = "postgresql://atlas@db.example.org/atlas"
    folder = runs_folder(url)
    assert folder.parent == Path(tempfile.gettempdir()) and "://" not in str(folder) and "example" not in folder.name
    assert runs_folder(tmp_path / "atlas.db") == tmp_path / "atlas.db.runs"
    with runs_in_flight(url).run():
        assert server_busy(url)
    assert not server_busy(url)
