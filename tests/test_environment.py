"""The pinned environment installs on every interpreter the project admits.

``requires-python`` in pyproject.toml promises a floor (3.11 means 3.11.0 and up, Debian 12's stock
3.11.2 included).  A pin in constraints.txt whose own ``Requires-Python`` excludes that floor breaks
``make`` there with "ResolutionImpossible" before any test runs (soupsieve 4.1.2 needs ≥ 3.11.5).
The metadata of the installed distributions says what each pin requires, so this runs offline.
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def _floor(requires_python: str) -> Version:
    """The lowest Python release a ``requires-python`` admits, e.g. '>=3.11' -> 3.11.0."""
    lower = [spec.version for spec in SpecifierSet(requires_python) if spec.operator in (">=", "==", "~=")]
    assert lower, f"requires-python {requires_python!r} has no lower bound"
    parts = [int(p) for p in re.findall(r"\d+", max(lower, key=Version))[:3]]
    return Version(".".join(map(str, parts + [0] * (3 - len(parts)))))


REQUIRES_PYTHON = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
FLOOR = _floor(REQUIRES_PYTHON)


def _pins(path: Path) -> list[Requirement]:
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return [Requirement(line) for line in lines if line]


PINS = _pins(ROOT / "constraints.txt")


def test_floor_is_read_from_pyproject():
    assert _floor(">=3.11") == Version("3.11.0")
    assert _floor(">=3.11.5") == Version("3.11.5")
    assert FLOOR <= Version("3.11.2"), "Debian 12's python3 (3.11.2) must stay admitted, or the README must say so"


def test_constraints_pin_exact_versions():
    assert len(PINS) > 50
    loose = [str(pin) for pin in PINS if len(pin.specifier) != 1 or next(iter(pin.specifier)).operator != "=="]
    assert not loose, f"constraints.txt must pin exact versions (name==version): {loose}"


@pytest.mark.parametrize("pin", PINS, ids=lambda pin: pin.name)
def test_pin_admits_the_python_floor(pin):
    """Each pinned distribution, as installed here, accepts the oldest Python that pyproject admits."""
    try:
        dist = importlib.metadata.distribution(pin.name)
    except importlib.metadata.PackageNotFoundError:
        pytest.fail(f"{pin} is pinned but not installed in this environment (rerun make)")
    assert canonicalize_name(dist.metadata["Name"]) == canonicalize_name(pin.name)
    assert Version(dist.version) in pin.specifier, f"installed {dist.version}, pinned {pin}: rerun make"
    requires = dist.metadata.get("Requires-Python")
    if requires:
        assert SpecifierSet(requires).contains(FLOOR, prereleases=True), (
            f"{pin} requires Python {requires}, which excludes {FLOOR}, the floor of requires-python "
            f"{REQUIRES_PYTHON!r}: pin an older release (pip install --dry-run --python-version {FLOOR} "
            f"--only-binary=:all: '{pin.name}<{dist.version}') or raise the floor in pyproject.toml"
        )
