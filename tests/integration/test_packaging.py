"""`pip install .` (not only editable) gives a complete labctl: playbooks, roles, scenarios, plugins inside."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return next(out.glob("labctl-*.whl"))


def test_the_wheel_carries_the_ansible_content(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in (
        "labctl/content/playbooks/scenario.yml",
        "labctl/content/playbooks/host.yml",
        "labctl/content/scenarios/ex1.yml",
        "labctl/content/roles/ex1_network_dns/tasks/up.yml",
        "labctl/content/roles/host/meta/argument_specs.yml",
        "labctl/content/collections/ansible_collections/labctl/lab/plugins/action/check.py",
    ):
        assert path in names, f"{path} missing from {wheel.name}"
    assert not any(n.startswith("labctl/content/tests") or "/molecule/" in n for n in names)


def test_an_installed_wheel_finds_its_content(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = "from labctl.core.paths import content_dir; print(content_dir())"
    where = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert where.stdout.strip() == str(target / "labctl" / "content")
    listing = subprocess.run(
        [sys.executable, "-m", "labctl.cli.app", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert listing.returncode == 0, listing.stderr
    assert '"id": "ex1"' in listing.stdout
