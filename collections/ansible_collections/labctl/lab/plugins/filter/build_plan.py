"""build_plan: which of an exercise's images need a build (missing, or a file of their context changed)."""

from ansible.errors import AnsibleFilterError
from ansible_collections.labctl.lab.plugins.module_utils import builds

DOCUMENTATION = r"""
name: build_plan
short_description: The images to build, from the wanted images and those the host has
description:
  - An image is current when its label C(io.labctl.context) holds the hash of its whole build context
    (every file, not only the Containerfile) and of the labels asked for; every other image is to build.
  - Each image to build comes back with C(hash) (its new label), C(current) (the label it has now,
    empty when missing), C(old_id) (the image a rebuild replaces) and C(dir) (a folder name for its
    context on another host). Runs on the controller, where the contexts are.
positional: _input, found
options:
  _input:
    description: The wanted images, each C({tag, context, format, labels}).
    type: list
    elements: dict
    required: true
  found:
    description: The host's images as containers.podman.podman_image_info returns them.
    type: list
    elements: dict
    required: true
"""


def build_plan(images, found):
    try:
        return builds.plan(images, found)
    except (KeyError, ValueError) as exc:
        raise AnsibleFilterError(f"build_plan: {exc}") from exc


class FilterModule:
    def filters(self):
        return {"build_plan": build_plan}
