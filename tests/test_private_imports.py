"""No module imports another package's private names (DESIGN.md, "Who may import whom").

A name starting with ``_`` (dunders aside) is private to the package that defines it: modules of
that package and its subpackages may use it, nothing else may — neither ``from X import _name``
nor ``X._name`` on an imported module ``X``, whether ``X`` is one of ours or a library. What
another package needs gets a public name; tests go through the public API. Read from the source
(``ast``), so nothing is imported to check it.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "commerce", "builder", "runtime", "orderflow", "bench", "tests")


@dataclass(frozen=True, order=True)
class Reach:
    """``where`` (path:line) uses ``name`` of module ``module``, which is outside its own package."""

    where: str
    module: str
    name: str

    def __str__(self) -> str:
        return f"{self.where}: {self.module}.{self.name}"


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _package_of(path: Path) -> str:
    """The package a file belongs to: its folder (a package's ``__init__`` is its own package)."""
    return ".".join(path.relative_to(ROOT).parent.parts)


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _is_module(dotted: str) -> bool:
    """Whether ``dotted`` names a module or package of this repository (a library's modules count by name)."""
    base = ROOT.joinpath(*dotted.split("."))
    if dotted.split(".")[0] in PACKAGES:
        return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()
    return True


def _absolute(node: ast.ImportFrom, path: Path) -> str:
    if not node.level:
        return node.module or ""
    package = _package_of(path).split(".")
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _dotted(node: ast.AST) -> list[str] | None:
    """``a.b.c`` as ``["a", "b", "c"]``; ``None`` for anything but names and attributes."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(parts)]


def reaches(path: Path, text: str | None = None) -> list[Reach]:
    """Every private name of another package that the module at ``path`` (its ``text``) imports or reads."""
    tree = ast.parse(path.read_text(encoding="utf-8") if text is None else text, filename=str(path))
    package = _package_of(path)
    where = str(path.relative_to(ROOT))
    found: list[Reach] = []
    modules: dict[str, str] = {}  # local name → the module it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    modules[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    modules[head] = head
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(node, path)
            for alias in node.names:
                if _is_private(alias.name) and not _inside(source, package):
                    found.append(Reach(f"{where}:{node.lineno}", source, alias.name))
                if alias.name != "*" and _is_module(f"{source}.{alias.name}"):
                    candidate = f"{source}.{alias.name}"
                    if candidate.split(".")[0] in PACKAGES or not _is_private(alias.name):
                        modules[alias.asname or alias.name] = candidate
    inner = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or id(node) in inner:
            continue  # only whole chains: a.b._c once, not again as a.b
        chain = _dotted(node)
        if chain is None or chain[0] not in modules:
            continue
        module = modules[chain[0]]
        for attr in chain[1:]:
            if _is_private(attr):
                if not _inside(module, package):
                    found.append(Reach(f"{where}:{node.lineno}", module, attr))
                break
            if not _is_module(f"{module}.{attr}") or module.split(".")[0] not in PACKAGES:
                break
            module = f"{module}.{attr}"
    return sorted(set(found))


def _sources() -> list[Path]:
    return sorted(
        path for package in PACKAGES for path in (ROOT / package).rglob("*.py") if "migrations" not in path.parts
    )


def _all_reaches() -> list[Reach]:
    return [reach for path in _sources() for reach in reaches(path)]


def test_no_module_uses_another_packages_private_names():
    offenders = [str(reach) for reach in _all_reaches()]

    assert offenders == []


def test_it_sees_each_way_of_reaching_a_private_name():
    source = (
        "import builder.validation.shape\n"
        "from builder import events as ev\n"
        "from builder.validation import shape\n"
        "from builder.catalog import _actions, action_spec\n"
        "from ..catalog import _connectors\n"
        "from django.db.models import _private\n"
        "from .problems import _internal\n"
        "ev._strict({})\n"
        "shape._document_validator.iter_errors({})\n"
        "builder.validation.shape._SCHEMA_CODES.get('type')\n"
        "ev.EVENTS.__class__\n"
        "action_spec('x')._private_attribute\n"
    )

    found = reaches(ROOT / "builder" / "validation" / "planted.py", source)

    # Lines 7, 9 and 10 stay inside builder.validation, the planted module's own package; line 11
    # is a dunder, line 12 an attribute of an object, not of a module.
    assert [str(reach) for reach in found] == [
        "builder/validation/planted.py:4: builder.catalog._actions",
        "builder/validation/planted.py:5: builder.catalog._connectors",
        "builder/validation/planted.py:6: django.db.models._private",
        "builder/validation/planted.py:8: builder.events._strict",
    ]
