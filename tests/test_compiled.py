"""The compiled hot modules: a build is loaded only when made from the present source, the variable and a missing
compiler leave them as Python, and the Python modules pass their tests too when the suite runs the compiled ones."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import midas.ingest.facts
import midas.standard.fast_records
from midas import compiled
from midas.cli.main import app
from tests.services import missing

PROJECT = Path(__file__).resolve().parents[1]
MODULE = "midas.standard.fast_records"


@pytest.fixture
def builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty artifact directory of this test's own."""
    monkeypatch.setenv(compiled.DIRECTORY_VARIABLE, str(tmp_path / "builds"))
    monkeypatch.delenv(compiled.PURE_PYTHON_VARIABLE, raising=False)
    return tmp_path / "builds"


def _fake_build(module: str, digest: str) -> tuple[Path, Path]:
    """Empty files where a build of ``digest`` would be: enough for the finder, which only looks for them."""
    files = compiled.artifact_path(module, digest), compiled.artifact_path(module + compiled.LIBRARY_SUFFIX, digest)
    for file in files:
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(b"")
    return files


def test_the_digest_follows_the_source_and_the_midas_modules_it_imports(tmp_path: Path) -> None:
    root = tmp_path / "midas"
    (root / "sub").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "sub" / "__init__.py").write_text("LIMIT: Final = 3\n")
    (root / "hot.py").write_text("import json\nfrom midas.sub import LIMIT\n\ndef f() -> None:\n"
                                 "    from midas.other import g\n")
    (root / "other.py").write_text("def g() -> None: ...\n")
    (root / "unrelated.py").write_text("X = 1\n")
    first = compiled.source_digest("midas.hot", root)

    (root / "unrelated.py").write_text("X = 2\n")
    assert compiled.source_digest("midas.hot", root) == first
    (root / "sub" / "__init__.py").write_text("LIMIT: Final = 4\n")  # mypyc would have copied 3 into the build
    second = compiled.source_digest("midas.hot", root)
    assert second != first
    (root / "other.py").write_text("def g() -> int: return 1\n")  # imported inside a function: counted too
    third = compiled.source_digest("midas.hot", root)
    assert third != second
    (root / "hot.py").write_text((root / "hot.py").read_text() + "# edited\n")
    assert compiled.source_digest("midas.hot", root) != third


def test_the_finder_loads_only_a_build_of_the_present_source(builds: Path) -> None:
    finder = compiled.CompiledFinder()
    _fake_build(MODULE, "0" * 24)  # built from an older source
    assert finder.find_spec(MODULE, None) is None

    module, library = _fake_build(MODULE, compiled.source_digest(MODULE))
    spec = finder.find_spec(MODULE, None)
    assert spec is not None
    assert spec.origin == str(module)
    library_spec = finder.find_spec(MODULE + compiled.LIBRARY_SUFFIX, None)  # what mypyc's shim imports next
    assert library_spec is not None
    assert library_spec.origin == str(library)
    assert finder.find_spec(MODULE + compiled.LIBRARY_SUFFIX, None) is None  # asked once, answered once


def test_the_variable_and_other_modules_are_left_to_python(builds: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    finder = compiled.CompiledFinder()
    _fake_build(MODULE, compiled.source_digest(MODULE))
    assert finder.find_spec("midas.ingest.service", None) is None
    monkeypatch.setenv(compiled.PURE_PYTHON_VARIABLE, "1")
    assert finder.find_spec(MODULE, None) is None
    assert compiled.status(MODULE) == f"runs as Python: {compiled.PURE_PYTHON_VARIABLE} is set"


def test_without_a_compiler_nothing_is_built_and_the_reason_is_given(builds: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiled.shutil, "which", lambda _name: None)
    reason = compiled.missing_tools()
    assert reason is not None
    assert "no C compiler" in reason

    result = compiled.build(MODULE)
    assert not result.compiled
    assert result.message.startswith("runs as Python: no C compiler")
    assert not builds.exists()

    plain = CliRunner().invoke(app, ["compile"], env={"COLUMNS": "200"})
    assert plain.exit_code == 0, plain.output
    assert "no C compiler" in plain.output
    required = CliRunner().invoke(app, ["compile", "--require"], env={"COLUMNS": "200"})
    assert required.exit_code == 1, required.output


def test_status_names_each_module(builds: Path) -> None:
    _fake_build(MODULE, compiled.source_digest(MODULE))
    result = CliRunner().invoke(app, ["compile", "--status"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert f"{MODULE}: compiled, up to date" in result.output
    assert "midas.ingest.facts: runs as Python: not built from its present source" in result.output


def test_only_the_newest_builds_of_a_module_are_kept(builds: Path) -> None:
    for n in range(5):
        for file in _fake_build(MODULE, f"{n:024x}"):
            os.utime(file, (1_000_000 + n, 1_000_000 + n))
    _fake_build("midas.ingest.facts", "f" * 24)
    compiled._prune(MODULE)
    kept = sorted(path.name.split(".")[-3] for path in builds.iterdir() if path.name.startswith(MODULE + "."))
    assert kept == [f"{n:024x}" for n in (2, 3, 4)]
    assert compiled.artifact_path("midas.ingest.facts", "f" * 24).is_file()


def test_the_hot_modules_run_compiled_where_they_were_built() -> None:
    if compiled.pure_python_wanted():
        pytest.skip(f"{compiled.PURE_PYTHON_VARIABLE} is set: the suite runs the modules as Python")
    stale = [module for module in compiled.COMPILED_MODULES if not compiled.up_to_date(module)]
    if stale:
        missing("A mypyc build", f"{', '.join(stale)} not built from the present source (midas compile; "
                                 f"{compiled.missing_tools() or 'the tools are here'})")
    assert compiled.loaded_compiled(midas.standard.fast_records)
    assert compiled.loaded_compiled(midas.ingest.facts)


def test_the_python_modules_pass_their_own_tests_too() -> None:
    """The suite tests whichever form it loaded; when that is the compiled one, this runs the two modules' own
    tests again as Python."""
    if not compiled.loaded_compiled(midas.standard.fast_records):
        pytest.skip("the suite runs the modules as Python already")
    environment = {**os.environ, compiled.PURE_PYTHON_VARIABLE: "1"}
    loaded = subprocess.run(
        [sys.executable, "-c", "import midas.compiled, midas.standard.fast_records as f, midas.ingest.facts as g; "
                               "print(midas.compiled.loaded_compiled(f), midas.compiled.loaded_compiled(g))"],
        env=environment, capture_output=True, text=True, check=True, cwd=PROJECT)
    assert loaded.stdout.split() == ["False", "False"]
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/standard/test_fast_records.py", "tests/ingest/test_facts.py"],
        env=environment, capture_output=True, text=True, check=False, cwd=PROJECT)
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout.splitlines()[-1]
