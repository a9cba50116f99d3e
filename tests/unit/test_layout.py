"""The house rules of docs/architecture.md, read from the source (ast), so a change that breaks one
fails here rather than in a review: commands import no adapter, only the composition root builds
adapters, the core imports no outside SDK, and no module imports back into one that imports it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "meetstream"
# The layers, lowest first: a module may import its own layer and those below, never one above.
CORE, STORE, ADAPTERS, SERVICES, ENTRYPOINTS = ("meetstream.core",), ("meetstream.store",), ("meetstream.adapters",), \
    ("meetstream.services",), ("meetstream.entrypoints",)
# Shared by every layer: the error tree, settings, paths and small helpers with no outside system.
SHARED = ("meetstream.errors", "meetstream.config", "meetstream.paths", "meetstream.net", "meetstream.yamlfile",
          "meetstream.secrets", "meetstream.roomlock", "meetstream.ports")
ABOVE = {
    CORE: (*STORE, *ADAPTERS, *SERVICES, *ENTRYPOINTS, "meetstream.bootstrap", "meetstream.sandbox", "meetstream.config"),
    STORE: (*ADAPTERS, *SERVICES, *ENTRYPOINTS, "meetstream.bootstrap", "meetstream.sandbox"),
    ADAPTERS: (*STORE, *SERVICES, *ENTRYPOINTS, "meetstream.bootstrap"),
    SERVICES: (*ADAPTERS, *ENTRYPOINTS, "meetstream.bootstrap", "meetstream.sandbox"),
    ENTRYPOINTS: (),
}
SDKS = ("obsws_python", "websocket", "googleapiclient", "google", "msal", "requests", "aiohttp", "httpx")
# What builds an adapter: calling one of these is wiring, and wiring lives in bootstrap.py.
BUILDERS = {"ModernGovClient", "ObsConnection", "ObsOutputs", "Director", "ObsEventWatch", "connect_room", "open_calendar",
            "open_sandbox_calendar", "GraphCalendar", "GraphClient", "GraphAuth", "build_client", "build_service",
            "YouTubeClient", "YouTubeOnAir", "LiveControl", "DicentisClient", "ShureDisClient", "TelevicCameraListener",
            "CoConClient", "ViscaCamera", "listen_levels", "ObsLevels"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Every module named by an import anywhere in the file (inside functions too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _under(name: str, packages) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def test_the_layout_test_sees_the_package():
    assert "meetstream.bootstrap" in MODULES and "meetstream.entrypoints.cli.main" in MODULES and len(MODULES) > 50
    for layer in (CORE, STORE, ADAPTERS, SERVICES, ENTRYPOINTS):
        assert sum(_under(m, layer) for m in MODULES) >= 1, layer


def _layer(module: str):
    return next((layer for layer in ABOVE if _under(module, layer)), None)


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _layer(m) not in (None, ENTRYPOINTS)))
def test_no_import_reaches_up_a_layer(module):
    above = ABOVE[_layer(module)]
    reached = sorted(n for n in _imports(MODULES[module]) if _under(n, above))
    assert not reached, f"{module} imports {reached}: a layer is handed what it needs from above (a port), never imports it"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _under(m, CORE)))
def test_the_core_is_pure(module):
    names = _imports(MODULES[module])
    reached = sorted(n for n in names if n.startswith("meetstream") and not _under(n, (*CORE, "meetstream.errors")))
    assert not reached, f"{module} imports {reached}: the core imports only the core"
    assert not [n for n in names if _under(n, SDKS)], module


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _under(m, (*SERVICES, *STORE))))
def test_services_and_the_store_import_no_outside_sdk(module):
    sdk = sorted(n for n in _imports(MODULES[module]) if _under(n, SDKS))
    assert not sdk, f"{module} imports {sdk}: an adapter owns it"


def _store_uses(path: Path) -> list[int]:
    """Lines that reach a store: a name, argument or attribute called `store`, or a Store method call."""
    hits = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Name) and node.id == "store" or isinstance(node, ast.arg) and node.arg == "store" \
                or isinstance(node, ast.Attribute) and node.attr == "store":
            hits.append(node.lineno)
    return hits


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _under(m, ADAPTERS)))
def test_adapters_never_touch_the_store(module):
    hits = _store_uses(MODULES[module])
    assert not hits, f"{module} reaches the store at lines {hits}: return typed values, and let a service store them"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("meetstream.entrypoints.cli.")))
def test_commands_import_no_adapter_package(module):
    reached = sorted(n for n in _imports(MODULES[module]) if _under(n, ADAPTERS))
    assert not reached, f"{module} imports {reached}: go through meetstream.bootstrap or a service"


def _calls(path: Path) -> set[str]:
    called = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            f = node.func
            called.add(f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else "")
    return called


def test_only_the_composition_root_builds_adapters():
    builders_outside = {}
    for module, path in MODULES.items():
        if module == "meetstream.bootstrap" or _under(module, ADAPTERS):
            continue  # an adapter package may build its own parts; wiring them to the rest is bootstrap's
        built = _calls(path) & BUILDERS
        if built:
            builders_outside[module] = sorted(built)
    assert not builders_outside, f"adapters built outside meetstream.bootstrap: {builders_outside}"


def test_no_import_cycle():
    graph = {m: {n for n in _imports(p) if n in MODULES and n != m} for m, p in MODULES.items()}
    cycles, index, low, stack, on_stack = [], {}, {}, [], set()

    def visit(v):  # Tarjan: every strongly connected set of more than one module is a cycle
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    assert not cycles, f"modules that import each other: {cycles}"
