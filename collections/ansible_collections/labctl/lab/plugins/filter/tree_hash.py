"""tree_hash: one hash over every file of a folder (names and contents), on the controller.

podman_image hashes only a Containerfile's text, so a change to a COPYed file would not rebuild the
image; labctl labels each built image with the hash of its whole build context instead.
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.labctl.lab.plugins.module_utils import builds

DOCUMENTATION = r"""
name: tree_hash
short_description: SHA-256 over a folder's files (relative paths and contents)
positional: _input
options:
  _input: {description: Path of the folder., type: path, required: true}
"""


def tree_hash(folder):
    try:
        return builds.tree_hash(folder)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc)) from exc


class FilterModule:
    def filters(self):
        return {"tree_hash": tree_hash}
