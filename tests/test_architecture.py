"""The core stays free of UI, audio-device and model imports (so it is testable and reusable),
and inside each layer the modules depend on one another one way only."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import coach
import coach.core

HEAVY = ("textual", "sounddevice", "faster_whisper", "ctranslate2")


def test_core_imports_no_ui_audio_or_model_library() -> None:
    modules = [f"coach.core.{m.name}" for m in pkgutil.iter_modules(coach.core.__path__)]
    assert "coach.core.analysis" in modules
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + f"bad = [m for m in {HEAVY!r} if m in sys.modules]\n"
        + "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core imported: {out.stdout.strip()}"


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\nfrom coach.cli import build_parser\nbuild_parser()\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def _module_files() -> dict[str, Path]:
    """Every module of the coach package by dotted name, except the TUI's.

    The TUI is left out: its screens open one another (home -> history -> review -> ...) and
    name the app for typing, a circle that navigation has by nature.
    """
    root = Path(coach.__file__).resolve().parent.parent
    modules = {}
    for path in (root / "coach").rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if not name.startswith("coach.tui"):
            modules[name] = path
    return modules


def import_graph() -> dict[str, set[str]]:
    """Which coach modules each one imports: at the top, inside functions (imports kept for
    speed) and under ``if TYPE_CHECKING`` alike, since each of them ties the two modules."""
    modules = _module_files()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                           for alias in node.names]
            else:
                continue
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The groups of modules that import one another, directly or round a loop (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = set()
            while not group or node not in group:
                group.add(stack.pop())
            if len(group) > 1:
                found.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_imports_run_one_way_inside_every_layer() -> None:
    graph = import_graph()
    assert "coach.core.history" in graph["coach.core.progress"]  # imported inside a function
    assert "coach.audio.devices" in graph["coach.audio.recorder"]  # at the top
    assert "coach.core.history" in graph["coach.core.plan"]  # under TYPE_CHECKING
    circles = [sorted(group) for group in cycles(graph)]
    assert circles == [], f"modules importing each other: {circles}"


def test_the_cycle_finder_finds_a_loop_of_three_and_not_what_leads_into_it() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [{"a", "b", "c"}]
