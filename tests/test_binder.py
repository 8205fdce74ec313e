"""The files Binder (repo2docker) reads, binder/: quick checks (tests/test_binder_emulation.py builds them).

``binder/requirements.txt`` pins the book's scientific stack and kernel at the versions of
constraints.txt, on top of Binder's own Jupyter stack; ``runtime.txt`` asks for Python 3.11;
``postBuild`` and ``start`` must be executable, or repo2docker's image fails at build or launch.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """name -> version of every ``name==version`` line of a requirements or constraints file."""
    return {normalise(line.split("==")[0]): line.split("==")[1].split()[0]
            for line in path.read_text().splitlines() if "==" in line and not line.lstrip().startswith("#")}


def test_binder_pins_are_the_projects():
    """binder/requirements.txt pins each package at constraints.txt's version (make lock changes both)."""
    binder, project = pins(ROOT / "binder" / "requirements.txt"), pins(ROOT / "constraints.txt")
    assert {"numpy", "scipy", "matplotlib", "sympy", "scikit-learn", "jupytext", "ipykernel"} <= set(binder)
    differ = {name: (version, project.get(name)) for name, version in binder.items() if project.get(name) != version}
    assert not differ, (f"binder/requirements.txt differs from constraints.txt (binder, project): {differ}; "
                        "set binder/requirements.txt to constraints.txt's versions, then run make binder-check")
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    for script in ("postBuild", "start"):
        assert os.access(ROOT / "binder" / script, os.X_OK), f"binder/{script} must be executable"
