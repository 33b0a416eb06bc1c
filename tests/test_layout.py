"""The package tree follows the pipeline: one package per stage or face, no import circles.

Each package's `__init__` names what the rest may use; a module outside a package imports only
that `__init__`, never the package's own modules. The stages never import the faces (CLI, web,
scheduler) or the pipeline that drives them.
"""

from __future__ import annotations

import ast
import statistics
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import REPO

SRC = REPO / "src" / "digest"
STAGES = ("gather", "summarize", "compose", "render", "check", "deliver", "subscribers", "state")
FACES = ("cli", "web", "schedule", "pipeline", "editorial", "editions")
PACKAGES = (*STAGES, "cli", "web")


def unit(module: str) -> str:
    """The room a dotted module lives in: `digest.render.view` -> `render`."""
    return module.split(".")[1] if module.count(".") else module


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path


def imports(path: Path) -> Iterator[str]:
    """Every digest module a file imports, at any depth (function-level imports included)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("digest"):
            yield node.module
            for alias in node.names:
                yield f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("digest"))


def known(name: str, names: set[str]) -> str | None:
    """The module an imported name refers to (`digest.render.personalise` -> `digest.render`)."""
    while name and name not in names:
        name = name.rpartition(".")[0]
    return name or None


def test_every_stage_and_face_has_its_package() -> None:
    for package in PACKAGES:
        init = SRC / package / "__init__.py"
        assert init.is_file(), package
        assert ast.get_docstring(ast.parse(init.read_text())), f"{package}/__init__.py: docstring"


def test_no_module_reaches_into_another_package() -> None:
    names = {name for name, _ in modules()}
    wrong = []
    for name, path in modules():
        for target in {known(i, names) for i in imports(path)} - {None}:
            assert target is not None
            inside_package = target.count(".") >= 2
            if inside_package and unit(target) != unit(name):
                wrong.append(f"{name} imports {target}")
    assert not wrong, "\n".join(sorted(wrong))


def test_stages_never_import_the_faces_or_the_config() -> None:
    """Stages take their own settings; the Config object stops at the pipeline and the faces."""
    names = {name for name, _ in modules()}
    for name, path in modules():
        if unit(name) not in STAGES:
            continue
        for target in {known(i, names) for i in imports(path)} - {None}:
            assert unit(str(target)) not in (*FACES, "config"), f"{name} imports {target}"


def test_no_import_circle_between_rooms() -> None:
    names = {name for name, _ in modules()}
    graph: dict[str, set[str]] = {}
    for name, path in modules():
        targets = {unit(str(known(i, names))) for i in imports(path) if known(i, names)}
        graph.setdefault(unit(name), set()).update(targets - {unit(name), "digest"})
    done: set[str] = set()

    def visit(room: str, trail: tuple[str, ...]) -> None:
        assert room not in trail, "import circle: " + " -> ".join((*trail, room))
        if room in done:
            return
        for target in sorted(graph.get(room, ())):
            visit(target, (*trail, room))
        done.add(room)

    for room in sorted(graph):
        visit(room, ())


def test_modules_stay_small() -> None:
    sizes = [len(path.read_text().splitlines()) for _, path in modules()]
    assert statistics.median(sizes) < 250
