"""``requirements.lock`` pins what ``make install`` installs: every package, direct and indirect.

The requirements files name the direct dependencies; after a change to them, ``make lock``
regenerates the lock. These checks fail while the two disagree, so a fresh clone installs what
the tests ran with.
"""

from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]


def requirement_lines(path: Path) -> list[str]:
    """The requirement lines of ``path`` and of the files it includes with ``-r``."""
    lines = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-r "):
            lines += requirement_lines(path.parent / line.removeprefix("-r ").strip())
        else:
            lines.append(line)
    return lines


def pins(lines: list[str]) -> dict[str, str]:
    """``{canonical name: version}``; fails on a line that is not one exact ``==`` pin."""
    pinned = {}
    for line in lines:
        requirement = Requirement(line)
        specifiers = list(requirement.specifier)
        assert [s.operator for s in specifiers] == ["=="], f"not pinned to one version: {line!r}"
        assert requirement.url is None and requirement.marker is None, f"not a plain pin: {line!r}"
        pinned[canonicalize_name(requirement.name)] = specifiers[0].version
    return pinned


def direct_requirements() -> dict[str, str]:
    """Every ``requirements*.txt`` (the lock is compiled from ``requirements-dev.txt``, which includes the rest)."""
    direct = {}
    for path in sorted(REPO.glob("requirements*.txt")):
        direct.update(pins(requirement_lines(path)))
    return direct


def test_every_direct_requirement_is_in_the_lock_at_its_version():
    direct = direct_requirements()
    locked = pins(requirement_lines(REPO / "requirements.lock"))

    assert {name: locked.get(name) for name in direct} == direct, "run `make lock` after changing requirements*.txt"


def test_the_lock_pins_more_than_the_direct_requirements():
    """The indirect ones too (asgiref, Django's own dependency, was the one a fresh install got wrong)."""
    direct = direct_requirements()
    locked = pins(requirement_lines(REPO / "requirements.lock"))

    assert {"asgiref", "psycopg-binary", "twisted"} <= locked.keys() - direct.keys()
