"""Every command checks its arguments and inputs before any work: one line on stderr, no traceback,
a non-zero exit (issue 17). The real CLI runs in a subprocess."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = "seeds/000_6a7ef684703209c4.txt"
FAST = 30  # seconds: reading /dev/zero to the end would never finish (or die of MemoryError) within this


def atlas(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "components", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=FAST, env=dict(os.environ))


def one_line_error(run: subprocess.CompletedProcess) -> str:
    assert run.returncode != 0, run.stdout
    assert "Traceback" not in run.stderr, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert run.stdout == "", run.stdout  # no half answer on stdout
    return lines[0]


@pytest.mark.parametrize("nth", ["0", "-3", "x"])
def test_cite_nth_must_be_one_or_more(nth: str) -> None:
    line = one_line_error(atlas("cite", SEED, "84 settlements", "--nth", nth))
    assert "--nth" in line


def test_cite_nth_beyond_the_last_occurrence_is_an_error_and_the_first_works() -> None:
    line = one_line_error(atlas("cite", SEED, "84 settlements", "--nth", "99"))
    assert "quote not found (occurrence 99)" in line
    ok = atlas("cite", SEED, "84 settlements", "--nth", "1")
    assert ok.returncode == 0 and '"start": -1' not in ok.stdout and '"quote": "84 settlements"' in ok.stdout


@pytest.mark.parametrize("quote", ["", "   "])
def test_cite_empty_quote_is_refused(quote: str) -> None:
    assert "quote is empty" in one_line_error(atlas("cite", SEED, quote))


@pytest.mark.parametrize("command", [("cite", "/dev/zero", "x"), ("ingest", "/dev/zero"), ("add", "/dev/zero")])
def test_endless_input_is_refused_by_size_before_it_is_read(command: tuple[str, ...]) -> None:
    line = one_line_error(atlas(*command))
    assert line.startswith(f"{command[0]}: /dev/zero: more than 2,097,152 bytes"), line


def test_oversize_file_is_refused_by_its_size(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"Idlib\n" * 400_000)
    for command in (("cite", str(big), "Idlib"), ("ingest", str(big)), ("add", str(big))):
        line = one_line_error(atlas(*command))
        assert "2,400,000 bytes is over the 2,097,152-byte limit" in line, line


def test_export_out_must_be_a_file_path(tmp_path: Path) -> None:
    line = one_line_error(atlas("export", "--format", "csv", "--out", str(tmp_path)))
    assert f"{tmp_path} is a folder; give a file path" in line
    assert list(tmp_path.iterdir()) == []  # not even a temporary file
    line = one_line_error(atlas("export", "--format", "csv", "--out", str(tmp_path / "missing" / "facts.csv")))
    assert "does not exist" in line


def test_export_to_a_folder_that_refuses_files_is_one_line() -> None:
    """/proc takes no new files, even from root (a read-only folder would not stop root)."""
    line = one_line_error(atlas("export", "--format", "csv", "--out", "/proc/atlas-facts.csv"))
    assert line.startswith("export: cannot write /proc/atlas-facts.csv: "), line


@pytest.mark.parametrize("command", [("documents", "--page", "0"), ("search", "Idlib", "--page", "-1"),
                                     ("search", "Idlib", "--from", "20170601"), ("search", "Idlib", "--to", "2017-W23-1")])
def test_store_commands_check_pages_and_dates(command: tuple[str, ...]) -> None:
    line = one_line_error(atlas(*command))
    assert "argument --" in line and "(see --help)" in line
