"""The hot modules of ingestion, compiled with mypyc where a C compiler is at hand, and plain Python otherwise.

Storing a production record spends most of its Python time in two modules: certifying it
(:mod:`midas.standard.fast_records`) and reading its typed columns (:mod:`midas.ingest.facts`). mypyc compiles
them from the same, unchanged source (mypy --strict holds already) into C extensions that take 8-13 % less time,
about 6 % of the app's CPU per record received over HTTP (docs/performance.md). Nothing depends on it: without a
build, the same modules run as Python.

- ``midas compile`` builds them; ``scripts/test`` and ``scripts/demo`` run it after installing. Each
  build goes into :func:`artifact_directory` (``midas-compiled`` in the virtual environment, or
  ``MIDAS_COMPILED_DIR``) under a name holding the digest of the source it was built from.
- :func:`install`, run when ``midas`` is imported, puts :class:`CompiledFinder` first on ``sys.meta_path``:
  importing one of :data:`COMPILED_MODULES` loads the build made from the source as it is now, else the ``.py``
  file. An edited module is never shadowed by an older build (the trouble with mypyc's usual build next to the
  source): it runs as Python until it is built again.
- The digest covers the module's source and the source of each ``midas`` module it imports, since mypyc copies an
  imported module's literal ``Final`` constants into the compiled code.
- ``MIDAS_PURE_PYTHON=1`` ignores the builds.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Final

__all__ = ["COMPILED_MODULES", "BuildResult", "CompiledFinder", "artifact_directory", "build", "install",
           "loaded_compiled", "status", "up_to_date"]

COMPILED_MODULES: Final = ("midas.standard.fast_records", "midas.ingest.facts")
PURE_PYTHON_VARIABLE: Final = "MIDAS_PURE_PYTHON"
DIRECTORY_VARIABLE: Final = "MIDAS_COMPILED_DIR"
#: mypyc builds a module as two extensions: the module itself, a shim, imports ``<module>__mypyc``, which holds
#: the compiled code.
LIBRARY_SUFFIX: Final = "__mypyc"
#: Builds kept of each module: the current one and a few older ones (another checkout of an older commit).
KEPT_BUILDS: Final = 3
PACKAGE_ROOT: Final = Path(__file__).resolve().parent
_MIDAS_IMPORT: Final = re.compile(r"^[ \t]*(?:from|import)[ \t]+(midas(?:\.\w+)*)", re.MULTILINE)
_TRUE: Final = frozenset({"1", "true", "yes", "on"})
#: Run in a child process, in a work folder: mypyc turns the module into C, setuptools compiles it.
_BUILD_SCRIPT: Final = """
import sys
from mypyc.build import mypycify
from setuptools import Distribution

source, work = sys.argv[1], sys.argv[2]
distribution = Distribution({"ext_modules": mypycify([source], target_dir=work + "/c")})
command = distribution.get_command_obj("build_ext")
command.build_lib, command.build_temp = work + "/lib", work + "/tmp"
command.ensure_finalized()
command.run()
"""


def extension_suffix() -> str:
    """The file ending of this Python's C extensions (``.cpython-311-x86_64-linux-gnu.so``): it names the ABI, so a
    build for another Python is never loaded."""
    return importlib.machinery.EXTENSION_SUFFIXES[0]


def artifact_directory() -> Path:
    """Where builds are kept: ``MIDAS_COMPILED_DIR``, else ``midas-compiled`` in the virtual environment, else in
    the user's cache."""
    configured = os.environ.get(DIRECTORY_VARIABLE, "")
    if configured:
        return Path(configured)
    if sys.prefix != sys.base_prefix:
        return Path(sys.prefix) / "midas-compiled"
    return Path.home() / ".cache" / "midas-compiled"


def source_path(module: str, root: Path = PACKAGE_ROOT) -> Path:
    """The source file of ``midas.<...>`` under ``root`` (the ``midas`` folder): a module or a package's
    ``__init__.py``."""
    parts = module.split(".")[1:]
    if not parts:
        return root / "__init__.py"
    file = root.joinpath(*parts[:-1], parts[-1] + ".py")
    return file if file.is_file() else root.joinpath(*parts, "__init__.py")


def source_digest(module: str, root: Path = PACKAGE_ROOT) -> str:
    """The digest of a module's source and of each ``midas`` module it imports (what a build depends on)."""
    source = source_path(module, root).read_bytes()
    digest = hashlib.sha256(source)
    for imported in sorted(set(_MIDAS_IMPORT.findall(source.decode("utf-8")))):
        path = source_path(imported, root)
        if path.is_file():
            digest.update(b"\0" + imported.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:24]


def artifact_path(name: str, digest: str) -> Path:
    """The build of extension ``name`` (a module or its mypyc library) made from the sources of ``digest``."""
    return artifact_directory() / f"{name}.{digest}{extension_suffix()}"


def pure_python_wanted() -> bool:
    return os.environ.get(PURE_PYTHON_VARIABLE, "").strip().lower() in _TRUE


def _extension_spec(name: str, path: Path) -> importlib.machinery.ModuleSpec | None:
    return importlib.util.spec_from_file_location(name, path,
                                                  loader=importlib.machinery.ExtensionFileLoader(name, str(path)))


class CompiledFinder:
    """Finds the current build of a compiled module (and then its mypyc library); None for everything else, and
    for a module without a build of its present source, which the usual finders then load as Python. (A meta path
    finder needs only ``find_spec``; importlib.abc would cost every start of ``midas`` 30 ms of imports.)"""

    def __init__(self) -> None:
        self._libraries: dict[str, Path] = {}

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        library = self._libraries.pop(fullname, None)
        if library is not None:
            return _extension_spec(fullname, library)
        if fullname not in COMPILED_MODULES or pure_python_wanted():
            return None
        try:
            digest = source_digest(fullname)
        except (OSError, UnicodeDecodeError):
            return None
        module, library = artifact_path(fullname, digest), artifact_path(fullname + LIBRARY_SUFFIX, digest)
        if not (module.is_file() and library.is_file()):
            return None
        self._libraries[fullname + LIBRARY_SUFFIX] = library  # the same build's library, whatever happens next
        return _extension_spec(fullname, module)


def install() -> None:
    """Put :class:`CompiledFinder` first on ``sys.meta_path`` (once)."""
    if not any(isinstance(finder, CompiledFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, CompiledFinder())


def loaded_compiled(module: ModuleType) -> bool:
    """Whether an imported module is a compiled build (not its ``.py`` source)."""
    return str(getattr(module, "__file__", "")).endswith(extension_suffix())


# --- building -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BuildResult:
    module: str
    compiled: bool
    message: str


def missing_tools() -> str | None:
    """Why mypyc cannot build here (None when it can): mypy with mypyc, setuptools, a C compiler, Python's
    headers."""
    for package, name in (("mypyc", "mypy (which brings mypyc)"), ("setuptools", "setuptools")):
        if importlib.util.find_spec(package) is None:
            return f"{name} is not installed: pip install -e '.[dev]'"
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler ({compiler}) on PATH: on Debian, apt-get install gcc"
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not headers.is_file():
        return f"Python's C headers ({headers.name}) are missing: on Debian, apt-get install python3-dev"
    return None


def build(module: str) -> BuildResult:
    """Build ``module`` from its present source unless that build exists; check that it loads, then keep it."""
    if up_to_date(module):
        return BuildResult(module, True, "compiled, up to date")
    digest = source_digest(module)
    reason = missing_tools()
    if reason is not None:
        return BuildResult(module, False, f"runs as Python: {reason}")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="midas-mypyc-") as work:
        made = subprocess.run([sys.executable, "-c", _BUILD_SCRIPT, str(source_path(module)), work],
                              cwd=PACKAGE_ROOT.parent, capture_output=True, text=True, check=False)
        if made.returncode != 0:
            return BuildResult(module, False, "runs as Python: mypyc failed:\n" + _tail(made.stdout + made.stderr))
        built = Path(work, "lib", *module.split("."))
        try:
            _publish(built, module, digest)
        except OSError as error:
            return BuildResult(module, False, f"runs as Python: the build could not be kept: {error}")
    problem = _load_problem(module)
    if problem is not None:
        _remove(module, digest)
        return BuildResult(module, False, f"runs as Python: the build does not load: {problem}")
    _prune(module)
    return BuildResult(module, True, f"compiled in {time.monotonic() - started:.0f} s")


def _publish(built: Path, module: str, digest: str) -> None:
    """Copy the two extensions into the artifact directory, each under a temporary name first and then renamed,
    so that a process importing meanwhile sees a whole build or none."""
    directory = artifact_directory()
    directory.mkdir(parents=True, exist_ok=True)
    for name, file in ((module + LIBRARY_SUFFIX, built.with_name(built.name + LIBRARY_SUFFIX)), (module, built)):
        source = file.with_name(file.name + extension_suffix())
        if not source.is_file():
            raise OSError(f"mypyc made no {source.name}")
        target = artifact_path(name, digest)
        partial = target.with_name(f".{target.name}.{os.getpid()}")
        shutil.copyfile(source, partial)
        os.replace(partial, target)


def _load_problem(module: str) -> str | None:
    """Import the build in a fresh process: None when it is the compiled module that loads, else what went wrong."""
    check = f"import midas.compiled, {module} as m; assert midas.compiled.loaded_compiled(m), m.__file__"
    environment = {name: value for name, value in os.environ.items() if name != PURE_PYTHON_VARIABLE}
    done = subprocess.run([sys.executable, "-c", check], env=environment, capture_output=True, text=True,
                          check=False)
    return None if done.returncode == 0 else _tail(done.stderr)


def _remove(module: str, digest: str) -> None:
    for name in (module, module + LIBRARY_SUFFIX):
        artifact_path(name, digest).unlink(missing_ok=True)


def _prune(module: str) -> None:
    """Keep the :data:`KEPT_BUILDS` newest builds of ``module``."""
    pattern = re.compile(re.escape(module) + r"\.([0-9a-f]{24})" + re.escape(extension_suffix()))
    builds = sorted(((path.stat().st_mtime, match.group(1)) for path in artifact_directory().iterdir()
                     if (match := pattern.fullmatch(path.name))), reverse=True)
    for _, digest in builds[KEPT_BUILDS:]:
        _remove(module, digest)


def _tail(output: str, lines: int = 20) -> str:
    return "\n".join(output.strip().splitlines()[-lines:])


def status(module: str) -> str:
    """Whether ``module`` runs compiled, and why not."""
    if pure_python_wanted():
        return f"runs as Python: {PURE_PYTHON_VARIABLE} is set"
    if up_to_date(module):
        return "compiled, up to date"
    return "runs as Python: not built from its present source (midas compile builds it)"


def up_to_date(module: str) -> bool:
    """Whether a build of ``module``'s present source exists."""
    digest = source_digest(module)
    return artifact_path(module, digest).is_file() and artifact_path(module + LIBRARY_SUFFIX, digest).is_file()
