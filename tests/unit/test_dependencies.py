"""What labctl depends on: bounded ranges, ansible-core rather than the `ansible` bundle, and the one
collection the roles use shipped inside labctl."""

import json
import re

import pytest
from packaging.requirements import Requirement

from tests.conftest import ROOT

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
RUNTIME = [Requirement(r) for r in PROJECT["dependencies"]]
TEST = [Requirement(r) for r in PROJECT["optional-dependencies"]["test"]]
PODMAN = ROOT / "collections" / "ansible_collections" / "containers" / "podman"


def bounds(req: Requirement) -> tuple[bool, bool]:
    """Whether the requirement has a lower and an upper bound."""
    ops = {spec.operator for spec in req.specifier}
    lower = bool(ops & {">=", ">", "==", "~=", "==="})
    upper = bool(ops & {"<", "<=", "==", "~=", "==="})
    return lower, upper


@pytest.mark.parametrize("req", RUNTIME + TEST, ids=str)
def test_every_dependency_has_a_lower_and_an_upper_bound(req):
    assert bounds(req) == (True, True), f"{req} needs both a lower and an upper bound"


def test_the_ansible_bundle_is_not_a_runtime_dependency():
    names = {r.name.lower() for r in RUNTIME}
    assert "ansible" not in names, "the `ansible` bundle (90-odd collections) is not needed: labctl ships its one"
    assert {"ansible-core", "ansible-runner"} <= names


def test_ansible_core_allows_only_releases_that_run_on_the_declared_pythons():
    """ansible-core 2.17 is the last for Python 3.10; 2.20 needs 3.12."""
    core = next(r for r in RUNTIME if r.name == "ansible-core")
    floor = re.fullmatch(r">=3\.(\d+)", PROJECT["requires-python"])
    assert floor, PROJECT["requires-python"]
    if int(floor.group(1)) <= 10:
        assert "2.17.0" in core.specifier, "on Python 3.10 only ansible-core 2.17 installs"
    assert "2.20.0" not in core.specifier


def test_the_shipped_containers_podman_is_complete_and_licensed():
    manifest = json.loads((PODMAN / "MANIFEST.json").read_text())["collection_info"]
    assert (manifest["namespace"], manifest["name"]) == ("containers", "podman")
    assert manifest["license"] == ["GPL-3.0-or-later"]
    assert "GNU GENERAL PUBLIC LICENSE" in (PODMAN / "COPYING").read_text()
    assert (PODMAN / "meta" / "runtime.yml").is_file()
    assert not any((PODMAN / extra).exists() for extra in ("tests", "docs", "changelogs"))
    notice = (ROOT / "NOTICE").read_text()
    assert f"containers.podman {manifest['version']}" in notice
    assert "GPL-3.0-or-later" in notice


def test_every_containers_podman_module_the_content_uses_is_shipped():
    used = set()
    for folder in ("roles", "playbooks", "collections/ansible_collections/labctl"):
        for path in (ROOT / folder).rglob("*.yml"):
            used |= set(re.findall(r"\bcontainers\.podman\.(\w+)", path.read_text()))
    assert used, "no containers.podman module found in the roles: has the layout changed?"
    missing = sorted(m for m in used if not (PODMAN / "plugins" / "modules" / f"{m}.py").is_file())
    assert not missing, f"used but not shipped: {missing}"
