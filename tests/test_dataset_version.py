"""One content version per dataset keys every cache (issue 11, part 2).

Real files in temporary copies of the data; the app's cached functions are called
exactly as the app calls them, or the real app script runs under AppTest.
"""
from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from components.atlas import DataPaths
from components.documents import Document, DocumentMeta
from components.ingest import find_places, ingest_document
from components.ingest.places import default_place_index
from components.store import open_store
from components.store.db import default_db_path
from components.store.ingest import add_upload
from components.store.queries import list_documents, reader_data, zone_passages
from components.store.search import search
from components.ui.data import AppData, current_app_data, load_app_data
from components.ui.mapview import cached_map
from components.ui.tables import export_text
from components.ui.timeview import timeline_spec
from components.version import ABSENT, dataset_inputs, dataset_version, file_digest, inputs_version
from tests.curators import sign_in_app
from tests.server import sealed_app
from tests.test_app_store import until_ingested

ROOT = Path(__file__).resolve().parent.parent
SEED = "000_6a7ef684703209c4"
NEW_PLACE = "Qaryat Testiyya"
NEW_PLACE_TEXT = f"Shelling hit {NEW_PLACE} in the south on Tuesday, residents said.\n"


def copy_dataset(root: Path) -> Path:
    """geodata/ and seeds/ copied under ``root`` (created)."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "geodata", root / "geodata")
    shutil.copytree(ROOT / "seeds", root / "seeds")
    return root


def use_dataset(monkeypatch: pytest.MonkeyPatch, root: Path, uploads: Path) -> None:
    monkeypatch.setenv("ATLAS_DATA_ROOT", str(root))
    monkeypatch.setenv("ATLAS_UPLOADS", str(uploads))
    monkeypatch.setenv("ATLAS_TILES", "none")


def add_gazetteer_place(root: Path) -> None:
    """A settlement no real gazetteer has, near Nawa (inside the southern zone)."""
    extra = root / "geodata" / "gazetteer_extra.json"
    document = json.loads(extra.read_text(encoding="utf-8"))
    document["places"].append({"id": "test:qaryat-testiyya", "name": NEW_PLACE, "lat": 32.89, "lon": 36.05,
                               "country": "SY", "admin1": "Daraa", "population": 0, "kind": "settlement"})
    extra.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def rename_zone(root: Path, zone_id: str, name: str) -> None:
    path = root / "geodata" / "zones.geojson"
    zones = json.loads(path.read_text(encoding="utf-8"))
    for feature in zones["features"]:
        if feature["properties"]["id"] == zone_id:
            feature["properties"]["name"] = name
    path.write_text(json.dumps(zones, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def dataset(tmp_path: Path) -> DataPaths:
    """A copy of the data with an (empty) uploads folder, as the app lays it out."""
    root = copy_dataset(tmp_path / "data")
    (tmp_path / "uploads").mkdir()
    return DataPaths.under(root, tmp_path / "uploads")


# --------------------------------------------------------------------------- the version


def test_version_depends_on_content_not_on_where_the_folder_is(dataset: DataPaths, tmp_path: Path) -> None:
    version = dataset_version(dataset)
    assert dataset_version(dataset) == version
    other = DataPaths.under(copy_dataset(tmp_path / "elsewhere"), tmp_path / "no-uploads")
    assert dataset_version(other) == version
    assert version == dataset_version(DataPaths.under(ROOT, tmp_path / "no-uploads"))


def input_labels() -> list[str]:
    return [label for label, _ in dataset_inputs(DataPaths.under(ROOT, None))]


@pytest.mark.parametrize("label", input_labels())
def test_version_changes_when_any_input_changes(dataset: DataPaths, label: str) -> None:
    path = dict(dataset_inputs(dataset))[label]
    before = dataset_version(dataset)
    data = path.read_bytes()
    k = len(data) // 2
    path.write_bytes(data[:k] + bytes([data[k] ^ 0x01]) + data[k + 1:])  # same size, written at once
    assert dataset_version(dataset) != before
    path.write_bytes(data)
    assert dataset_version(dataset) == before


def test_version_changes_when_a_document_or_sidecar_comes_or_goes(dataset: DataPaths) -> None:
    before = dataset_version(dataset)
    upload = dataset.seeds[-1] / "news.txt"
    upload.write_text("Shelling hit Nawa on Tuesday.", encoding="utf-8")
    with_doc = dataset_version(dataset)
    assert with_doc != before
    upload.with_name("news.meta.json").write_text('{"title": "News"}', encoding="utf-8")
    with_sidecar = dataset_version(dataset)
    assert with_sidecar not in (before, with_doc)
    (dataset.seeds[0] / f"{SEED}.meta.json").unlink()
    assert dataset_version(dataset) not in (before, with_doc, with_sidecar)


def test_version_ignores_what_is_not_read(dataset: DataPaths) -> None:
    before = dataset_version(dataset)
    seed = dataset.seeds[0] / f"{SEED}.txt"
    os.utime(seed, (1_000_000_000, 1_000_000_000))  # timestamps only
    (dataset.seeds[-1] / "notes.md").write_text("not a document", encoding="utf-8")
    (dataset.seeds[-1] / ".partial.txt").write_text("a hidden temporary file", encoding="utf-8")
    (dataset.seeds[-1] / "orphan.meta.json").write_text('{"title": "no document"}', encoding="utf-8")
    (dataset.zones.parent / "SOURCES.md").write_text("edited notes", encoding="utf-8")
    assert dataset_version(dataset) == before


def test_pipeline_version_is_part_of_it(dataset: DataPaths) -> None:
    assert dataset_version(dataset, code=("pipeline 1",)) != dataset_version(dataset, code=("pipeline 2",))


def test_a_vanished_input_counts_as_absent(dataset: DataPaths) -> None:
    inputs = dataset_inputs(dataset)
    before = inputs_version(inputs)
    dataset.zones.unlink()
    (dataset.seeds[0] / f"{SEED}.txt").unlink()  # listed, then gone before it is read
    assert inputs_version(inputs) not in (before, "")
    assert file_digest(dataset.zones) == ABSENT and file_digest(dataset.seeds[0]) == ABSENT
    assert dataset_version(dataset) != before


# --------------------------------------------------------------------------- the caches


def app_data_for(monkeypatch: pytest.MonkeyPatch, root: Path, uploads: Path) -> AppData:
    use_dataset(monkeypatch, root, uploads)
    return current_app_data()


def test_two_datasets_in_one_process_give_two_maps_and_timelines(tmp_path: Path, monkeypatch) -> None:
    a = copy_dataset(tmp_path / "a")
    b = copy_dataset(tmp_path / "b")
    rename_zone(b, "south", "Southern zone of dataset B")
    data_a = app_data_for(monkeypatch, a, tmp_path / "uploads-a")
    map_a = cached_map(data_a, data_a.version, data_a.tiles)
    version_a, script_a = data_a.version, map_a[0].script
    assert "Southern de-escalation zone" in script_a
    # The old dataset is dropped before the new one is loaded, as after a reload: the new
    # AppData may then live at the same address, which an id()-keyed cache mistook for the old.
    load_app_data.clear()
    del data_a, map_a
    gc.collect()
    data_b = app_data_for(monkeypatch, b, tmp_path / "uploads-b")
    assert data_b.version != version_a
    script_b = cached_map(data_b, data_b.version, data_b.tiles)[0].script
    assert "Southern zone of dataset B" in script_b and "Southern de-escalation zone" not in script_b
    assert "Southern zone of dataset B" in json.dumps(timeline_spec(data_b, data_b.version))
    # the same content elsewhere is the same version: the very same cached arguments
    c = copy_dataset(tmp_path / "c")
    rename_zone(c, "south", "Southern zone of dataset B")
    data_c = app_data_for(monkeypatch, c, tmp_path / "uploads-c")
    assert data_c.version == data_b.version
    assert cached_map(data_c, data_c.version, data_c.tiles) is cached_map(data_b, data_b.version, data_b.tiles)


def test_exports_follow_the_dataset(tmp_path: Path, monkeypatch) -> None:
    """A document dropped into the uploads folder by hand is picked up (the folder's own stat
    changed) and gives a new version; the export's document list stays the bundled seeds (the
    documents curated facts cite, bounded whatever the number of uploads), the upload is searchable."""
    root = copy_dataset(tmp_path / "data")
    uploads = tmp_path / "uploads"
    first = app_data_for(monkeypatch, root, uploads)
    assert '"news"' not in export_text(first.version, "geojson", first)
    uploads.mkdir()
    (uploads / "news.txt").write_text("Shelling hit Nawa in the south on Tuesday.", encoding="utf-8")
    second = current_app_data()
    assert second.version != first.version
    listed = json.loads(export_text(second.version, "geojson", second))["metadata"]["documents"]
    assert SEED in listed and "news" not in listed
    assert second.store is not None
    assert [h.doc_id for h in search(second.store, "Nawa").hits if h.doc_id == "news"] == ["news"]


def test_a_script_run_does_not_stat_or_read_each_upload(tmp_path: Path, monkeypatch) -> None:
    """With many uploads in the store, the per-run version check touches the uploads folder at
    most by one stat of the folder itself, never one of its files; an upload added as the app
    adds it still reaches search and the zone panel (through the store, not the atlas corpus)."""
    root = copy_dataset(tmp_path / "data")
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    for i in range(300):
        (uploads / f"wire_{i:03d}.txt").write_text(f"Report {i}: shelling hit Nawa on Tuesday.\n", encoding="utf-8")
    first = app_data_for(monkeypatch, root, uploads)  # the one-time sync of the folder
    assert first.store is not None and list_documents(first.store, source="upload")[0] == 300
    assert not any(label.startswith("seeds") and "wire_" in label for label, _ in dataset_inputs(first.paths))
    assert "wire_000" not in first.atlas.corpus.documents

    touched: list[str] = []

    def counting(name: str):
        real = getattr(os, name)

        def wrapper(path, *args, **kwargs):
            if isinstance(path, (str, os.PathLike)) and os.fspath(path).startswith(str(uploads)):
                touched.append(f"{name} {os.fspath(path)}")
            return real(path, *args, **kwargs)
        return wrapper

    for name in ("stat", "lstat", "scandir", "listdir", "open"):
        monkeypatch.setattr(os, name, counting(name))
    again = current_app_data()
    assert again is first
    assert [t for t in touched if not t.endswith(str(uploads))] == []  # at most the folder itself
    assert len(touched) <= 2
    monkeypatch.undo()

    use_dataset(monkeypatch, root, uploads)
    south_before = zone_passages(first.store, "south").total
    added = add_upload(first.store, NEW_PLACE_TEXT.replace(NEW_PLACE, "Jasim").encode(), "added.txt", uploads, added_by="app")
    assert added.status == "added", added.message
    after = current_app_data()
    assert after.version != first.version
    assert after.store is not None
    assert added.doc_id in {h.doc_id for h in search(after.store, "Jasim").hits}
    assert zone_passages(after.store, "south").total == south_before + 1  # its passage is linked to the zone
    assert added.doc_id not in json.loads(export_text(after.version, "geojson", after))["metadata"]["documents"]


class KeptMediaStorage(MemoryMediaFileStorage):
    """Streamlit's in-memory media storage, kept reachable so a test can read a download."""

    instances: ClassVar[list[KeptMediaStorage]] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        KeptMediaStorage.instances.append(self)


def download_text(at: AppTest, label_start: str) -> str:
    button = next(b for b in at.get("download_button") if b.proto.label.startswith(label_start))
    file_name = button.proto.url.rsplit("/", 1)[-1]
    for storage in reversed(KeptMediaStorage.instances):
        try:
            return storage.get_file(file_name).content.decode("utf-8")
        except Exception:  # not in this run's storage
            continue
    raise AssertionError(f"download {file_name} not found")


def app_run(tab: str) -> AppTest:
    at = AppTest.from_file(str(sealed_app()), default_timeout=60)
    at.query_params["tab"] = tab
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_download_after_an_upload_lists_the_cited_sources_only(tmp_path: Path, monkeypatch) -> None:
    """Downloads list the bundled seeds (the documents curated facts cite), bounded whatever the
    number of uploads; an upload is reached through the store (search, panels, reader)."""
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", KeptMediaStorage)
    use_dataset(monkeypatch, copy_dataset(tmp_path / "data"), tmp_path / "uploads")
    before = json.loads(download_text(app_run("Sources and downloads"), "Zones (GeoJSON)"))
    assert list(before["metadata"]["documents"]) == [SEED]

    at = sign_in_app(app_run("Add a document"))
    at.file_uploader(key="atlas_upload").upload("nawa-report.txt", NEW_PLACE_TEXT.encode(), "text/plain")
    at = until_ingested(at.run())  # the worker process ingests it; the page's note follows
    assert not at.exception, at.exception
    assert any("Added" in str(i.value) for i in at.info), [str(e.value) for e in at.error]

    downloads = app_run("Sources and downloads")
    after = json.loads(download_text(downloads, "Zones (GeoJSON)"))
    assert list(after["metadata"]["documents"]) == [SEED]
    assert download_text(downloads, "Facts and sources").startswith("\ufefffact_id,")
    assert list_documents(open_store(default_db_path()), source="upload")[1][0].doc_id == "nawa-report"


# --------------------------------------------------------------------------- the gazetteer


def doc_of(text: str) -> Document:
    return Document(id="test", path=Path("test.txt"), text=text, meta=DocumentMeta(title="test"))


def test_data_root_with_another_gazetteer_changes_place_recognition(tmp_path: Path, monkeypatch) -> None:
    other = copy_dataset(tmp_path / "other")
    add_gazetteer_place(other)
    use_dataset(monkeypatch, ROOT, tmp_path / "uploads")
    assert find_places(NEW_PLACE_TEXT) == []
    repository_index = default_place_index()
    use_dataset(monkeypatch, other, tmp_path / "uploads")
    assert [m.name for m in find_places(NEW_PLACE_TEXT)] == [NEW_PLACE]
    assert ingest_document(doc_of(NEW_PLACE_TEXT)).zones == ("south",)
    use_dataset(monkeypatch, ROOT, tmp_path / "uploads")  # one process, both datasets, no mixing
    assert find_places(NEW_PLACE_TEXT) == []
    assert default_place_index() is repository_index


def test_the_app_ingests_with_its_own_datasets_gazetteer(tmp_path: Path, monkeypatch) -> None:
    plain = copy_dataset(tmp_path / "plain")
    richer = copy_dataset(tmp_path / "richer")
    add_gazetteer_place(richer)
    for root in (plain, richer):
        (root / "seeds" / "900_report.txt").write_text(NEW_PLACE_TEXT, encoding="utf-8")
    places = {}
    for root in (plain, richer, plain):
        data = app_data_for(monkeypatch, root, tmp_path / "uploads")
        assert data.store is not None
        found = reader_data(data.store, "900_report")
        assert found is not None
        places[root.name] = [m["place_name"] for m in found.mentions]
    assert places == {"plain": [], "richer": [NEW_PLACE]}


def test_cli_ingest_uses_the_configured_gazetteer(tmp_path: Path) -> None:
    other = copy_dataset(tmp_path / "other")
    add_gazetteer_place(other)
    doc = tmp_path / "report.txt"
    doc.write_text(NEW_PLACE_TEXT, encoding="utf-8")

    def places_with(root: Path) -> list[str]:
        env = {**os.environ, "ATLAS_DATA_ROOT": str(root), "ATLAS_UPLOADS": str(tmp_path / "uploads")}
        out = subprocess.run([sys.executable, "-m", "components", "ingest", str(doc), "--json"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120, check=True).stdout
        return [p["name"] for p in json.loads(out)["documents"][0]["passages"][0]["places"]]

    assert places_with(ROOT) == []
    assert places_with(other) == [NEW_PLACE]


def test_search_spellings_follow_the_data_roots_zone_aliases(tmp_path: Path, monkeypatch) -> None:
    """A zone alias added in another dataset's zones.geojson is a search spelling there, and only there."""
    from components.store.search import variants

    other = copy_dataset(tmp_path / "other")
    zones_file = other / "geodata" / "zones.geojson"
    zones = json.loads(zones_file.read_text(encoding="utf-8"))
    south = next(f for f in zones["features"] if f["properties"]["id"] == "south")
    south["properties"].setdefault("aliases", []).append("Zorblax Front")
    zones_file.write_text(json.dumps(zones), encoding="utf-8")
    use_dataset(monkeypatch, ROOT, tmp_path / "uploads")
    assert variants("Zorblax Front") == []
    use_dataset(monkeypatch, other, tmp_path / "uploads")
    assert " southern zone " in variants("Zorblax Front")  # the zone's other names are searched too
    use_dataset(monkeypatch, ROOT, tmp_path / "uploads")
    assert variants("Zorblax Front") == []
