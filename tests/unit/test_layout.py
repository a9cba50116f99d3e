"""The house rules of docs/architecture.md, read from the source (ast), so a change that breaks one
fails here rather than in a review: commands import no adapter, only the composition root builds
adapters, the core imports no outside SDK, and no module imports back into one that imports it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "meetstream"
ADAPTERS = ("meetstream.obs", "meetstream.teams", "meetstream.youtube", "meetstream.sandbox", "meetstream.moderngov")
SDKS = ("obsws_python", "websocket", "googleapiclient", "google", "msal", "requests", "aiohttp", "httpx")
CORE = ("domain", "planner", "session", "chapters", "store", "night", "watchdog", "agenda", "roster", "timefmt")
# Published facts kept beside their adapter that the core may read: pure, no SDK (checked below).
FACTS = ("meetstream.youtube.quota",)  # YouTube's quota cost table and the Pacific-day ledger
# What builds an adapter: calling one of these is wiring, and wiring lives in bootstrap.py.
BUILDERS = {"ModernGovClient", "ObsConnection", "ObsOutputs", "Director", "ObsEventWatch", "connect_room", "open_calendar",
            "open_sandbox_calendar", "GraphCalendar", "GraphClient", "GraphAuth", "build_client", "build_service",
            "YouTubeClient", "YouTubeOnAir", "LiveControl"}


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
    assert "meetstream.bootstrap" in MODULES and "meetstream.cli.main" in MODULES and len(MODULES) > 50


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("meetstream.cli.")))
def test_commands_import_no_adapter_package(module):
    reached = sorted(n for n in _imports(MODULES[module]) if _under(n, ADAPTERS))
    assert not reached, f"{module} imports {reached}: go through meetstream.bootstrap or a service"


@pytest.mark.parametrize("module", [f"meetstream.{m}" for m in CORE])
def test_the_core_imports_no_outside_sdk_and_no_adapter(module):
    names = _imports(MODULES[module])
    sdk = sorted(n for n in names if _under(n, SDKS))
    adapters = sorted(n for n in names if _under(n, ADAPTERS) and not _under(n, FACTS))
    assert not sdk, f"{module} imports {sdk}"
    assert not adapters, f"{module} imports {adapters}: it is handed a port instead"


@pytest.mark.parametrize("module", FACTS)
def test_the_facts_the_core_reads_are_pure(module):
    names = _imports(MODULES[module])
    assert not [n for n in names if _under(n, SDKS)]
    assert all(n.startswith(("meetstream.timefmt", "meetstream.errors", "meetstream.domain")) for n in names if n.startswith("meetstream"))


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
