"""tree_hash: one hash over every file of a folder (names and contents), on the controller.

podman_image hashes only a Containerfile's text, so a change to a COPYed file would not rebuild the
image; labctl labels each built image with the hash of its whole build context instead.
"""

import hashlib
from pathlib import Path

from ansible.errors import AnsibleFilterError

DOCUMENTATION = r"""
name: tree_hash
short_description: SHA-256 over a folder's files (relative paths and contents)
positional: _input
options:
  _input: {description: Path of the folder., type: path, required: true}
"""


def tree_hash(folder):
    root = Path(str(folder))
    if not root.is_dir():
        raise AnsibleFilterError(f"tree_hash: {root} is not a folder")
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


class FilterModule:
    def filters(self):
        return {"tree_hash": tree_hash}
