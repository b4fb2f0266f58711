"""Where labctl finds its Ansible content and keeps its state."""

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def content_dir() -> Path:
    """The folder holding playbooks/, roles/, scenarios/ and collections/.

    An installed wheel carries them in labctl/content; a source checkout has them at the top.
    """
    packaged = _PACKAGE_DIR / "content"
    if (packaged / "playbooks").is_dir():
        return packaged
    return _PACKAGE_DIR.parent


def state_dir() -> Path:
    """Per-user state (run artifacts), under XDG_STATE_HOME."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "labctl"
