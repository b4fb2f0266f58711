"""The suite's apt cache: Debian packages fetched once, shared by what the suite builds with mmdebstrap.

The room's machine image (tests/room/room.py) and the VM's disk (tests/vm/vm.py) are built from the same
bookworm packages (systemd, openssh-server, python3, …). mmdebstrap's sync-in/sync-out hooks (its manual's
recipe for machines without a caching proxy) copy the cache into the new system's apt archive before the
packages are fetched and copy the archive back out afterwards: a package one build fetched, the other
takes from the cache. The machines of the room and Molecule's host get this host's own downloads instead
(tests/room/room.py `seed_apt`, molecule/host/prepare.yml). `scripts/test --cold` empties the cache first.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

_EMPTIED: list[bool] = []


def folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "labctl-tests" / "debs"


def mmdebstrap_args() -> list[str]:
    """mmdebstrap options that fill the new system's apt archive from the cache and save what it fetched."""
    cache = folder()
    if os.environ.get("LABCTL_TEST_COLD") and not _EMPTIED:  # a cold run fetches everything once
        shutil.rmtree(cache, ignore_errors=True)
        _EMPTIED.append(True)
    cache.mkdir(parents=True, exist_ok=True)
    return [
        "--skip=essential/unlink",  # keep the essential packages' files for sync-out
        '--setup-hook=mkdir -p "$1"/var/cache/apt/archives/',
        f"--setup-hook=sync-in {cache} /var/cache/apt/archives/",
        f"--customize-hook=sync-out /var/cache/apt/archives {cache}",
    ]
