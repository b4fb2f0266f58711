"""`pip install .` (not only editable) gives a complete labctl: playbooks, roles, scenarios, plugins inside,
and the containers.podman collection with its licence, so the `ansible` bundle is not needed."""

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

PODMAN = "labctl/content/collections/ansible_collections/containers/podman"
# The containers.podman modules the roles use (tests/unit/test_dependencies.py checks the list is whole).
PODMAN_MODULES = (
    "podman_container",
    "podman_container_info",
    "podman_image",
    "podman_image_info",
    "podman_network",
    "podman_network_info",
    "podman_pod",
    "podman_pod_info",
    "podman_volume",
)


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
        *(f"labctl/content/playbooks/{verb}.yml" for verb in ("up", "verify", "reset", "prepare", "clean", "images")),
        "labctl/content/playbooks/steps/read.yml",
        "labctl/content/playbooks/host.yml",
        "labctl/content/scenarios/ex1.yml",
        "labctl/content/roles/ex1_network_dns/tasks/up.yml",
        "labctl/content/roles/host/meta/argument_specs.yml",
        # labctl.lab: a top-level package, so that labctl imports its module_utils as ordinary Python
        "ansible_collections/labctl/lab/plugins/action/check.py",
        "ansible_collections/labctl/lab/plugins/module_utils/waiting.py",
        "ansible_collections/labctl/lab/plugins/module_utils/fingerprints.py",
    ):
        assert path in names, f"{path} missing from {wheel.name}"
    assert not any(n.startswith("labctl/content/tests") or "/molecule/" in n for n in names)
    assert not any(n.startswith("labctl/content/collections/ansible_collections/labctl/") for n in names)


def test_the_wheel_carries_containers_podman_and_its_licence(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in (
        f"{PODMAN}/MANIFEST.json",
        f"{PODMAN}/meta/runtime.yml",
        f"{PODMAN}/COPYING",
        f"{PODMAN}/plugins/module_utils/podman/common.py",
        *(f"{PODMAN}/plugins/modules/{module}.py" for module in PODMAN_MODULES),
    ):
        assert path in names, f"{path} missing from {wheel.name}"
    # Run-time files only: not the collection's tests, docs or changelogs.
    assert not any(n.startswith(f"{PODMAN}/{extra}/") for n in names for extra in ("tests", "docs", "changelogs"))
    assert not any("__pycache__" in n for n in names)


def test_the_wheel_declares_both_licences_and_not_the_ansible_bundle(wheel):
    wheel_zip = zipfile.ZipFile(wheel)
    dist_info = next(n.split("/")[0] for n in wheel_zip.namelist() if n.endswith(".dist-info/METADATA"))
    metadata = wheel_zip.read(f"{dist_info}/METADATA").decode()
    requires = [line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    runtime = [r for r in requires if "extra ==" not in r]
    assert any(r.startswith("ansible-core") for r in runtime), runtime
    assert not [r for r in requires if re.match(r"ansible\b(?![-_])", r)], "the `ansible` bundle is a dependency"
    assert "License-Expression: MIT AND GPL-3.0-or-later" in metadata
    for licence in ("LICENSE", "NOTICE", "collections/ansible_collections/containers/podman/COPYING"):
        assert f"License-File: {licence}" in metadata
        assert f"{dist_info}/licenses/{licence}" in wheel_zip.namelist()


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return target


def test_ansible_finds_the_shipped_containers_podman_modules(installed, tmp_path):
    """Only the shipped collection answers: Ansible does not look in site-packages (where an `ansible` bundle
    installed by an older labctl may still be)."""
    collections = installed / "labctl" / "content" / "collections"
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(collections), "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "False"}
    modules = [f"containers.podman.{module}" for module in PODMAN_MODULES]
    doc = subprocess.run(
        [sys.executable, "-m", "ansible", "doc", "--json", *modules],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert doc.returncode == 0, doc.stderr
    found = json.loads(doc.stdout)
    assert sorted(found) == sorted(modules), doc.stderr
    for module in modules:
        assert found[module]["doc"]["filename"].startswith(str(collections)), found[module]["doc"]["filename"]


def test_ansible_finds_labctl_lab_where_python_imports_it(installed, tmp_path):
    """labctl's collections path (labctl.core.paths.collections_paths): the shipped containers.podman, and
    labctl.lab at the top of site-packages, whose modules import its module_utils inside Ansible too."""
    env = {**os.environ, "PYTHONPATH": str(installed)}
    code = "import os; from labctl.core import paths; print(os.pathsep.join(map(str, paths.collections_paths())))"
    where = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert where.stdout.strip() == os.pathsep.join([str(installed / "labctl/content/collections"), str(installed)])
    env.update(ANSIBLE_COLLECTIONS_PATH=where.stdout.strip(), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="False")
    forget = subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible"),  # `python -m ansible` wants an entry point first
            "localhost",
            "-c",
            "local",
            "-m",
            "labctl.lab.scenario_state",
            "-a",
            f"state=forget scenario=none state_dir={tmp_path}",
            "-e",
            f"ansible_python_interpreter={sys.executable}",
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert forget.returncode == 0 and "SUCCESS" in forget.stdout, forget.stdout + forget.stderr


def test_an_installed_wheel_finds_its_content(installed, tmp_path):
    target = installed
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
