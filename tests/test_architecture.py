"""The architecture in docs/architecture.md, kept true: which package may import which, services without Flask, one
place that commits, a short package root, and short views. Each failure names the file and the import or line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parent.parent / "portal"
ROOT_MODULES = {"__init__.py", "config.py", "db.py", "extensions.py"}
BASE = {"config", "core", "db", "extensions", "models"}  # every package may use these
FEATURE_EDGES: dict[str, set[str]] = {  # besides BASE and web, the features each feature may import
    "web": set(),
    "content": set(),
    "plans": {"content"},
    "notifications": {"plans"},
    "messages": {"plans", "notifications"},
    "questionnaires": {"plans"},
    "accounts": {"plans", "security"},
    "relatives": {"plans", "notifications", "accounts"},
    "audit": {"plans"},
    "fhir": {"audit", "content", "plans", "questionnaires"},
    "demo": {"accounts", "content", "fhir", "plans", "messages", "notifications", "questionnaires", "relatives"},
    "security": set(),
    "organisation": {"accounts", "notifications", "relatives", "security"},
}
PACKAGES = BASE - {"config", "db", "extensions"} | set(FEATURE_EDGES) | {"migrations"}
MAX_VIEW_LINES = 25


def _modules() -> list[Path]:
    return sorted(path for path in PORTAL.rglob("*.py") if "migrations" not in path.parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every `portal.…` module a file imports, with its line (imports inside functions count too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, node.module)] + [(node.lineno, f"{node.module}.{alias.name}")
                                                     for alias in node.names if node.module == "portal"]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return found


def _package(path: Path) -> str:
    relative = path.relative_to(PORTAL)
    return relative.parts[0].removesuffix(".py") if len(relative.parts) > 1 else relative.stem


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(PORTAL.parent)}:{line}"


def test_the_package_root_holds_only_the_factory_config_extensions_and_db() -> None:
    modules = {path.name for path in PORTAL.glob("*.py")}
    packages = {path.parent.name for path in PORTAL.glob("*/__init__.py")}
    assert modules - ROOT_MODULES == set(), "put these modules in a feature package or web/ (docs/architecture.md)"
    assert packages - PACKAGES == set(), "a new package: add it to docs/architecture.md and FEATURE_EDGES first"


def test_features_import_each_other_only_along_the_allowed_edges() -> None:
    wrong = []
    for path in _modules():
        package = _package(path)
        if package not in FEATURE_EDGES:
            continue
        allowed = BASE | FEATURE_EDGES[package] | {package, "web"}
        for line, module in _imports(path):
            parts = module.split(".")
            if parts[0] == "portal" and len(parts) > 1 and parts[1] not in allowed:
                wrong.append(f"{_where(path, line)} imports {module}: {package} may import only "
                             f"{', '.join(sorted(allowed - {package}))}")
    assert wrong == [], "\n".join(wrong)


def test_the_base_layer_and_web_import_no_feature() -> None:
    wrong = []
    for path in _modules():
        package = _package(path)
        if package not in {"core", "models", "web", "config", "db", "extensions"}:
            continue
        allowed = BASE | ({"web"} if package == "web" else set())
        for line, module in _imports(path):
            parts = module.split(".")
            if parts[0] == "portal" and len(parts) > 1 and parts[1] not in allowed:
                wrong.append(f"{_where(path, line)} imports {module}: {package} is below every feature")
    assert wrong == [], "\n".join(wrong)


def _is_service(path: Path) -> bool:
    parts = path.relative_to(PORTAL).parts
    return parts[0] in ("core", "models") or "services" in parts or path.name == "services.py"


def test_services_import_nothing_from_flask() -> None:
    wrong = [f"{_where(path, line)} imports {module}: services are plain functions (pass what they need)"
             for path in _modules() if _is_service(path)
             for line, module in _imports(path)
             if module.split(".")[0] in ("flask", "werkzeug") or module.startswith("flask_")]
    assert wrong == [], "\n".join(wrong)


def _calls(path: Path, name: str) -> list[int]:
    return [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name]


# The request's unit of work (db.py), and the outbox worker: an e-mail that has been sent cannot be rolled back, so
# each one's outcome is its own transaction.
COMMITTERS = {"db.py", "notifications/services.py"}


@pytest.mark.parametrize("call", ["commit", "rollback"])
def test_only_the_unit_of_work_commits(call: str) -> None:
    wrong = [f"{_where(path, line)} calls .{call}(): only portal/db.py ends a unit of work"
             for path in _modules() if str(path.relative_to(PORTAL)) not in COMMITTERS
             for line in _calls(path, call)]
    assert wrong == [], "\n".join(wrong)


def _views(path: Path) -> list[ast.FunctionDef]:
    def is_route(decorator: ast.expr) -> bool:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        return isinstance(target, ast.Attribute) and target.attr in ("get", "post", "route")

    return [node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.FunctionDef) and any(is_route(d) for d in node.decorator_list)]


def test_views_are_short() -> None:
    """A view reads input, calls a service and renders; anything longer belongs in a service."""
    long = [f"{_where(path, view.lineno)} {view.name} has {view.end_lineno - view.lineno + 1} lines"
            for path in _modules() for view in _views(path)
            if view.end_lineno - view.lineno + 1 > MAX_VIEW_LINES]
    assert long == [], "\n".join(long)


def test_the_architecture_document_names_every_package() -> None:
    text = (PORTAL.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [name for name in sorted(PACKAGES - {"migrations"}) if f"{name}/" not in text]
    assert missing == [], f"docs/architecture.md does not describe: {', '.join(missing)}"


def test_test_modules_share_helpers_not_each_other() -> None:
    """What several test modules use lives in a helper module (tests/factories.py, tests/world.py, a conftest …):
    importing a test module would also import its tests, and change with them."""
    tests = PORTAL.parent / "tests"
    crossing = [f"{path.relative_to(tests.parent)}:{line} imports {module}"
                for path in sorted(tests.rglob("test_*.py")) for line, module in _imports(path)
                if module.startswith("tests.") and module.rsplit(".", 1)[-1].startswith("test_")]
    assert crossing == [], "\n".join(crossing)
