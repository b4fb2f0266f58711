"""Hatchling build hook: compile labctl's gettext catalogs (labctl/locale/*/LC_MESSAGES/*.po) to .mo.

The .po files are the source (in git); the .mo files are built, never committed (.gitignore). A wheel gets
each .mo through force_include (hatchling leaves VCS-ignored files out of a wheel otherwise); an editable
install (`pip install -e .`, as scripts/install --test does) imports labctl from this folder, so there the
.mo is written next to its .po. The compiler is labctl's own (labctl/core/po.py, standard library only):
the build's isolated environment has hatchling and nothing else.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LOCALE = Path("labctl") / "locale"


def _compiler(root: Path):
    """labctl.core.po from this source tree (the build environment has no labctl installed)."""
    sys.path.insert(0, str(root))
    try:
        from labctl.core import po
    finally:
        sys.path.remove(str(root))
    return po


def write_atomically(path: Path, data: bytes) -> None:
    """Replace path with data in one step: a reader sees the old catalog or the new one, never half of one."""
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def compile_catalogs(root: Path, out_dir: Path) -> dict[str, str]:
    """Compile every catalog of root into out_dir (same layout); {built file: its path inside the wheel}."""
    po = _compiler(root)
    built: dict[str, str] = {}
    for source in po.catalogs(root / LOCALE):
        relative = source.relative_to(root).with_suffix(".mo")
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, po.compile_file(source))
        built[str(target)] = relative.as_posix()
    return built


class LocaleBuildHook(BuildHookInterface):
    """Compiles the catalogs at every wheel build, standard and editable."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Standard wheel: compile into a temporary folder and force-include; editable: compile in place."""
        root = Path(self.root)
        if version == "editable":
            # An editable wheel would otherwise copy the wheel's force-include (the Ansible content, and
            # labctl.lab as top-level ansible_collections/) into site-packages, where that stale copy of
            # labctl.lab's module_utils would shadow the checkout's (namespace packages: site-packages
            # comes first). A mapping of its own replaces it: the catalogs just compiled in place.
            built = compile_catalogs(root, root)
            build_data["force_include_editable"] = {path: relative for path, relative in built.items()}
            return
        self._tmp = tempfile.mkdtemp(prefix="labctl-locale-")
        build_data["force_include"].update(compile_catalogs(root, Path(self._tmp)))

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the temporary folder of a standard build."""
        if getattr(self, "_tmp", None):
            shutil.rmtree(self._tmp, ignore_errors=True)
