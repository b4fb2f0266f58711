"""The full five-exercise cycle on the test VM, root and rootless: `pytest -m vm_full` only (over an hour
under TCG, not in CI; tests/conftest.py skips it otherwise). The same as `python tests/vm/vm.py cycle`."""

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.vm import cycle

pytestmark = [pytest.mark.vm_full, pytest.mark.slow]


def test_the_five_exercises_root_and_rootless():
    """On a VM of its own: up -> verify -> up -> reset -> clean, each exercise, root and student."""
    out = Path(tempfile.mkdtemp(prefix="labctl-vm-cycle-")) / "figures.json"
    try:
        assert cycle.main(["--out", str(out)]) == 0, out.read_text()
        rows = json.loads(out.read_text())["rows"]
        assert all(not r.get("not_pass") for r in rows if r["verb"] == "verify"), rows
        assert all(r["changed"] == 0 for r in rows if r["verb"] == "up again"), rows
        assert all(r["left"] == [] for r in rows if r["verb"] == "clean"), rows
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)
