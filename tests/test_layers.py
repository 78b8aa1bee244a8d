"""Arrows point down: no module of ``ecsta/`` imports a higher layer, and no imports go round.

The layer order is DESIGN.md's: ``wire`` < ``link`` < ``daemon``, ``journal`` < ``mux``,
``driver``, ``sim`` < ``web`` < ``cli``, with ``daemon`` (the kit every service shares, the
configuration checks included) below ``journal``, whose settings use it. Each service's
``tap.py`` is where that service is composed (its web root, the embedded simulator), so it may
reach sideways and up to ``web``; nothing but ``cli`` may import a ``tap.py``. Every import
counts for the layers, also one inside a function or under ``TYPE_CHECKING``. For cycles, every
import that runs counts, also one moved into a function to dodge the cycle at load time; an
import under ``TYPE_CHECKING`` names a type for the checker only and does not.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

from twisted.trial import unittest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ecsta"

#: Layer of each folder of ``ecsta/`` (the package's own ``__init__`` is at the bottom).
LAYERS = {
    "": 0,
    "wire": 1,
    "link": 2,
    "daemon": 3,
    "journal": 4,
    "mux": 5,
    "driver": 5,
    "sim": 5,
    "web": 6,
    "cli": 8,
}
#: Where a service's ``tap.py`` sits: above ``web``, whose roots it builds; below ``cli``.
COMPOSITION = 7


def module_names() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _typing_only(tree: ast.Module) -> set[ast.AST]:
    """The import statements under ``if TYPE_CHECKING:``."""
    found: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            for statement in node.body:
                found.update(ast.walk(statement))
    return found


def imports(module: str, path: Path, known: dict[str, Path], typing: bool = True) -> Iterator[str]:
    """The modules of the package that ``module`` imports; with ``typing`` false, only those
    imported when the module runs."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(), str(path))
    skipped = set() if typing else _typing_only(tree)
    for node in ast.walk(tree):
        if node in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if not base.startswith("ecsta"):
                continue
            for alias in node.names:
                # ``from ecsta.wire import plans`` imports the module ecsta.wire.plans.
                submodule = f"{base}.{alias.name}"
                yield submodule if submodule in known else base


def layer(module: str) -> tuple[int, str]:
    """A module's layer and the folder that names it."""
    parts = module.split(".")[1:]
    folder = parts[0] if parts else ""  # a module outside the folders has no layer: KeyError
    if folder in ("mux", "driver", "sim") and parts[-1] == "tap":
        return COMPOSITION, folder
    return LAYERS[folder], folder


def graph(typing: bool = True) -> dict[str, set[str]]:
    known = module_names()
    return {
        module: set(imports(module, path, known, typing)) - {module}
        for module, path in known.items()
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def upward(edges: dict[str, set[str]]) -> list[str]:
    """Each import of a higher layer, or of a sibling folder of the same layer."""
    wrong = []
    for module, targets in sorted(edges.items()):
        level, folder = layer(module)
        for target in sorted(targets):
            target_level, target_folder = layer(target)
            if target_folder == folder and target_level <= level:
                continue
            if target_level >= level or (level < COMPOSITION and target_level == LAYERS[folder]):
                wrong.append(f"{module} imports {target}")
    return wrong


class LayerTests(unittest.TestCase):
    def test_no_import_of_a_higher_layer(self) -> None:
        self.assertEqual(upward(graph()), [])

    def test_no_import_cycle(self) -> None:
        self.assertEqual(cycles(graph(typing=False)), [])

    def test_the_driver_console_and_the_shared_web_parts_need_no_multiplexer(self) -> None:
        """Logins and sessions are the daemon kit's; only the mux's own console reads the mux."""
        edges = graph()
        reached = {
            f"{module} imports {target}"
            for module, targets in edges.items()
            if module.startswith("ecsta.web.") and module != "ecsta.web.muxconsole"
            for target in targets
            if target.startswith("ecsta.mux.")
        }
        self.assertEqual(reached, set())
        self.assertIn("ecsta.daemon.auth", edges["ecsta.web.console"])

    def test_names_that_meant_different_things_in_different_layers_are_distinct(self) -> None:
        """Each of these names is defined once in the package, so that a reader who meets it
        knows which thing it is."""
        defined: dict[str, list[str]] = {}
        for module, path in module_names().items():
            for node in ast.parse(path.read_text()).body:
                if isinstance(node, ast.ClassDef):
                    defined.setdefault(node.name.lstrip("_"), []).append(module)
        for name in ("CallEngine", "Call", "Plan"):
            self.assertLessEqual(len(defined.get(name, [])), 1, (name, defined.get(name)))

    def test_the_checks_see_what_they_look_for(self) -> None:
        """The walker finds an upward import and a cycle in a graph that has them."""
        edges = {
            "ecsta.wire.plans": {"ecsta.wire.values"},
            "ecsta.wire.values": {"ecsta.wire.plans"},
            "ecsta.mux.service": {"ecsta.web.muxconsole", "ecsta.driver.calls", "ecsta.wire.tlv"},
            "ecsta.mux.tap": {"ecsta.web.muxconsole", "ecsta.sim.config"},
            "ecsta.web.logins": {"ecsta.cli.password"},
        }
        self.assertEqual(cycles(edges), [["ecsta.wire.plans", "ecsta.wire.values"]])
        self.assertEqual(
            upward(edges),
            [
                "ecsta.mux.service imports ecsta.driver.calls",
                "ecsta.mux.service imports ecsta.web.muxconsole",
                "ecsta.web.logins imports ecsta.cli.password",
            ],
        )

    def test_every_module_is_read(self) -> None:
        """The graph holds the package's modules, with the imports they are known to make."""
        edges = graph()
        self.assertIn("ecsta.wire.apdu", edges["ecsta.link.protocol"])
        self.assertGreater(len(edges), 100)
