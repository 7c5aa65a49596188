"""The import rules of ARCHITECTURE.md, read from the source with ``ast`` so that a break names its line.

- ``midas.standard`` is a pure library: it imports nothing of the platform outside itself.
- Services, models and enums know nothing of HTTP: no FastAPI, Starlette, ``midas.web`` or ``midas.api``.
- Dependencies point one way: routes -> services -> models; models and enums never import services or routes.
- Routes (``api.py``, ``pages.py``, ``*_api.py``, ``*_pages.py``) are thin: no queries of their own.
- One domain uses another only through its public API (the package ``midas.<domain>``); assembly packages
  (api, web, cli, migrations, demo) may also mount the domains' routers and commands.
- No ``utils``, ``helpers`` or ``manager`` modules.
- Every domain's ``__init__.py`` names its public API in a sorted ``__all__`` of names that exist.
"""

from __future__ import annotations

import ast
import importlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
PACKAGE = PROJECT / "midas"
HTTP_MODULES = ("fastapi", "starlette", "midas.web", "midas.api")
ROUTE_FILES = ("api.py", "pages.py")  # and <part>_api.py, <part>_pages.py
ASSEMBLY_PACKAGES = {"api", "web", "cli", "migrations", "demo"}
QUERY_METHODS = {"execute", "scalar", "scalars"}
VAGUE_NAMES = {"utils", "helpers", "manager", "util", "helper", "managers"}


@dataclass(frozen=True, slots=True)
class Import:
    module: str
    line: int


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: Path

    @property
    def relative(self) -> str:
        return self.path.relative_to(PROJECT).as_posix()

    @property
    def module(self) -> str:
        parts = list(self.path.relative_to(PROJECT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts)

    @property
    def package(self) -> str:
        return self.module if self.path.name == "__init__.py" else self.module.rpartition(".")[0]

    @property
    def domain(self) -> str | None:
        """The first-level package under midas/ this file belongs to (None for top-level modules)."""
        parts = self.path.relative_to(PACKAGE).parts
        return parts[0] if len(parts) > 1 else None

    def tree(self) -> ast.Module:
        return _parse(self.path)

    def imports(self) -> list[Import]:
        """Every module this file imports, anywhere in it (also inside functions), relative ones resolved."""
        found: list[Import] = []
        for node in ast.walk(self.tree()):
            if isinstance(node, ast.Import):
                found.extend(Import(alias.name, node.lineno) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = self.package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                found.append(Import(base, node.lineno))
                # `from midas.x import service` imports the module midas.x.service
                found.extend(
                    Import(f"{base}.{alias.name}", node.lineno)
                    for alias in node.names
                    if _is_platform_module(f"{base}.{alias.name}")
                )
        return found

    def where(self, line: int) -> str:
        return f"{self.relative}:{line}"


def _is_platform_module(name: str) -> bool:
    path = PROJECT.joinpath(*name.split("."))
    return name.startswith("midas.") and (path.with_suffix(".py").is_file() or path.is_dir())


@cache
def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def source_files() -> list[SourceFile]:
    return [SourceFile(path) for path in sorted(PACKAGE.rglob("*.py")) if "versions" not in path.parts]


def domain_packages() -> list[Path]:
    """Packages under midas/ that hold domain logic (they have a service.py)."""
    return sorted({path.parent for path in PACKAGE.rglob("*service.py")})


def is_service_file(path: Path) -> bool:
    """service.py, or <part>_service.py where a domain splits its services by noun."""
    return path.name == "service.py" or path.name.endswith("_service.py")


def is_route_file(path: Path) -> bool:
    return path.name in ROUTE_FILES or path.name.endswith(tuple(f"_{name}" for name in ROUTE_FILES))


def is_within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def test_the_source_tree_is_found() -> None:
    files = source_files()
    assert any(f.relative == "midas/config.py" for f in files)
    assert domain_packages(), "no domain package with a service.py found"


def test_the_standard_library_depends_on_nothing_of_the_platform() -> None:
    standard = [f for f in source_files() if f.domain == "standard"]
    if not standard:
        pytest.skip("midas/standard does not exist yet")
    broken = [
        f"{f.where(i.line)} imports {i.module}"
        for f in standard
        for i in f.imports()
        if is_within(i.module, "midas") and not is_within(i.module, "midas.standard")
    ]
    assert not broken, "midas.standard must import nothing of the platform:\n" + "\n".join(broken)


def test_services_models_and_enums_know_nothing_of_http() -> None:
    broken = [
        f"{f.where(i.line)} imports {i.module}"
        for f in source_files()
        if f.path.name in ("models.py", "enums.py") or is_service_file(f.path)
        for i in f.imports()
        if any(is_within(i.module, http) for http in HTTP_MODULES)
    ]
    assert not broken, "no HTTP below the routes:\n" + "\n".join(broken)


def test_dependencies_point_from_routes_to_services_to_models() -> None:
    forbidden = {
        "models.py": ("service", "api", "pages", "cli"),
        "enums.py": ("service", "api", "pages", "cli", "models"),
        "service.py": ("api", "pages", "cli"),
    }
    broken = []
    for f in source_files():
        kind = "service.py" if is_service_file(f.path) else f.path.name
        if kind not in forbidden:
            continue
        for i in f.imports():
            last = i.module.rpartition(".")[2]
            banned = forbidden[kind]
            if is_within(i.module, "midas") and (last in banned or last.endswith(tuple(f"_{b}" for b in banned))):
                broken.append(f"{f.where(i.line)} imports {i.module}")
    assert not broken, "routes -> services -> models, never backwards:\n" + "\n".join(broken)


def _query_calls(tree: ast.AST) -> list[tuple[int, str]]:
    calls: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "select":
            calls.append((node.lineno, "select(...)"))
        elif isinstance(func, ast.Attribute) and func.attr == "select" and isinstance(func.value, ast.Name) \
                and func.value.id in ("sa", "sqlalchemy"):
            calls.append((node.lineno, f"{func.value.id}.select(...)"))
        elif isinstance(func, ast.Attribute) and func.attr in QUERY_METHODS:
            calls.append((node.lineno, f".{func.attr}(...)"))
    return calls


def test_routes_run_no_queries_of_their_own() -> None:
    broken = [
        f"{f.where(line)} calls {what}"
        for f in source_files()
        if is_route_file(f.path)
        for line, what in _query_calls(f.tree())
    ]
    assert not broken, "api.py and pages.py call services; queries belong in service.py:\n" + "\n".join(broken)


def test_the_route_rule_sees_a_query() -> None:
    """The check above must be able to fail: a route with a query is caught."""
    tree = ast.parse("def page(session):\n    return session.scalars(select(Organization)).all()\n")
    assert [what for _, what in _query_calls(tree)] == [".scalars(...)", "select(...)"]


def test_domains_use_each_other_only_through_the_public_api() -> None:
    domains = {path.name for path in domain_packages() if path.parent == PACKAGE}
    broken = []
    for f in source_files():
        if f.domain is None or f.domain in ASSEMBLY_PACKAGES:
            continue
        for i in f.imports():
            parts = i.module.split(".")
            if len(parts) < 3 or parts[0] != "midas" or parts[1] not in domains or parts[1] == f.domain:
                continue
            broken.append(f"{f.where(i.line)} imports {i.module} (use `from midas.{parts[1]} import ...`)")
    assert not broken, "one domain uses another only through its package's public API:\n" + "\n".join(broken)


def test_assembly_packages_reach_into_domains_only_for_routers_commands_and_models() -> None:
    allowed = {"api", "pages", "cli", "models"}
    domains = {path.name for path in domain_packages() if path.parent == PACKAGE}
    broken = []
    for f in source_files():
        if f.domain not in ASSEMBLY_PACKAGES:
            continue
        for i in f.imports():
            parts = i.module.split(".")
            if len(parts) >= 3 and parts[0] == "midas" and parts[1] in domains and parts[1] != f.domain \
                    and parts[2] not in allowed and not is_route_file(Path(f"{parts[2]}.py")):
                broken.append(f"{f.where(i.line)} imports {i.module}")
    assert not broken, "assembly code uses the domains' public API:\n" + "\n".join(broken)


def test_no_vague_module_names() -> None:
    vague = [
        path.relative_to(PROJECT).as_posix()
        for path in sorted(PACKAGE.rglob("*"))
        if (path.is_file() and path.suffix == ".py" and path.stem in VAGUE_NAMES)
        or (path.is_dir() and path.name in VAGUE_NAMES)
    ]
    assert not vague, f"name modules after what they hold, not utils/helpers/manager: {vague}"


_NATURAL = re.compile(r"(\d+)")


def _isort_key(name: str) -> tuple[int, list[object]]:
    """The order ruff's RUF022 keeps: CONSTANTS, then Classes, then functions; numbers compared as numbers."""
    if len(name) > 1 and name.isupper():
        group = 0
    elif name[:1].isupper():
        group = 1
    else:
        group = 2
    return group, [int(part) if part.isdigit() else part for part in _NATURAL.split(name)]


def _dunder_all(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            value = node.value  # type: ignore[union-attr]
            assert isinstance(value, ast.List | ast.Tuple), "__all__ must be a literal list"
            names = [element.value for element in value.elts if isinstance(element, ast.Constant)]
            assert len(names) == len(value.elts), "__all__ must hold only string literals"
            return [str(n) for n in names]
    return None


@pytest.mark.parametrize("package", domain_packages(), ids=lambda path: path.relative_to(PROJECT).as_posix())
def test_each_domain_names_its_public_api(package: Path) -> None:
    init = package / "__init__.py"
    assert init.is_file(), f"{package.relative_to(PROJECT)} has a service.py but no __init__.py"
    names = _dunder_all(_parse(init))
    assert names, f"{init.relative_to(PROJECT)} must name its public API in __all__"
    assert len(set(names)) == len(names), "__all__ lists a name twice"
    assert names == sorted(names, key=_isort_key), f"sort __all__ in {init.relative_to(PROJECT)} (ruff --fix does)"
    module = importlib.import_module(SourceFile(init).module)
    absent = [name for name in names if not hasattr(module, name)]
    assert not absent, f"{init.relative_to(PROJECT)} lists names it does not have: {absent}"
