"""labctl.lab's Python as ordinary modules: collections/ on sys.path, as Ansible's collection loader
sees it, so that module_utils import as `ansible_collections.labctl.lab.plugins.module_utils.*` and a
module or plugin file loaded by path finds them too."""

import importlib.util
import sys

from tests.conftest import ROOT

COLLECTION = ROOT / "collections" / "ansible_collections" / "labctl" / "lab"

if str(ROOT / "collections") not in sys.path:
    sys.path.insert(0, str(ROOT / "collections"))


def load(relative, name=None):
    """A plugin or module file of labctl.lab (e.g. plugins/filter/build_plan.py), loaded by its path."""
    spec = importlib.util.spec_from_file_location(
        name or f"labctl_lab_{relative.replace('/', '_')}", COLLECTION / relative
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def playbook(path, timeout=120):
    """ansible-playbook on this machine (-c local) with labctl.lab from this checkout: a real run of an action
    or module, without Podman. Returns the CompletedProcess (text)."""
    import subprocess
    from pathlib import Path

    return subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(path)],
        capture_output=True,
        text=True,
        env={"ANSIBLE_COLLECTIONS_PATH": str(ROOT / "collections"), "PATH": "/usr/bin:/bin"},
        timeout=timeout,
    )
