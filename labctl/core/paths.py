"""Where labctl finds its Ansible content and keeps its state."""

import os
import pwd
from pathlib import Path

import ansible_collections.labctl.lab as _collection
from ansible_collections.labctl.lab.plugins.module_utils import boundary

from labctl.core import i18n
from labctl.core.errors import ExitCode, LabctlError
from labctl.core.i18n import _

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def content_dir() -> Path:
    """The folder holding playbooks/, roles/, scenarios/ and collections/.

    An installed wheel carries them in labctl/content; a source checkout has them at the top.
    """
    packaged = _PACKAGE_DIR / "content"
    if (packaged / "playbooks").is_dir():
        return packaged
    return _PACKAGE_DIR.parent


def collection_dir() -> Path:
    """labctl.lab's own folder, wherever Python imports it from (the checkout's collections/, or the
    wheel's top-level ansible_collections/)."""
    return Path(next(iter(_collection.__path__))).resolve()


def collections_paths() -> list[Path]:
    """ANSIBLE_COLLECTIONS_PATH: the shipped containers.podman, and labctl.lab where Python finds it."""
    return list(dict.fromkeys([content_dir() / "collections", collection_dir().parents[2]]))


def _home(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_dir
    except KeyError:
        return str(Path.home())


def own_home() -> str:
    """This account's home from the password database (not $HOME, which `sudo -E` keeps)."""
    return _home(os.geteuid())


def store_dir(uid: int | None = None) -> Path:
    """Where the lock, lease and records of this account's Podman store live (never moved by the environment)."""
    uid = os.geteuid() if uid is None else uid
    return Path(boundary.store_dir(uid, _home(uid)))


def state_dir() -> Path:
    """This account's run folders, retry records and image archives: root's in /var/lib/labctl whatever
    $HOME or $XDG_STATE_HOME say; a folder that is not the account's own, or that others may write, is refused."""
    uid = os.geteuid()
    folder = boundary.state_dir(uid, _home(uid), os.environ)
    problem = boundary.folder_problem(folder, uid) or boundary.path_problem(os.path.dirname(folder), uid)
    if problem:
        raise LabctlError(
            _(
                "labctl will not keep its state in {folder}: {problem}; remove or fix it "
                "(or point {variable} at a folder of your own), then try again."
            ).format(folder=folder, problem=i18n.words(problem), variable=boundary.STATE_ENV),
            ExitCode.HOST_NOT_READY,
        )
    return Path(folder)


def make_state_dir(*parts: str) -> Path:
    """state_dir()/parts, made (mode 0700) where missing; an existing folder keeps its mode."""
    folder = state_dir().joinpath(*parts)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder
