"""images_lacking: which of the controller's images a host lacks, by image ID.

A host lacks an image when it has no image of that reference, or one with another ID; but a host's
own image of a reference is never replaced by a look-alike the controller built for want of a registry.
"""

DOCUMENTATION = r"""
name: images_lacking
short_description: The controller's images that a host lacks (by image ID)
positional: _input, host_images
options:
  _input:
    description: The controller's images, each C({ref, id, lookalike}).
    type: list
    elements: dict
    required: true
  host_images:
    description: The host's images as containers.podman.podman_image_info returns them (Id, RepoTags).
    type: list
    elements: dict
    required: true
  by_id:
    description: Only those whose image the host has under no name at all (they must be sent; the rest it can tag).
    type: bool
    default: false
"""


def images_lacking(controller_images, host_images, by_id=False):
    on_host = {tag: image.get("Id", "") for image in host_images or [] for tag in image.get("RepoTags") or []}
    ids = {image.get("Id", "") for image in host_images or []}
    lacking = []
    for image in controller_images or []:
        have = on_host.get(image["ref"])
        if have is None or (have != image["id"] and not image.get("lookalike")):
            lacking.append(image)
    if by_id:
        return [image for image in lacking if image["id"] not in ids]
    return lacking


class FilterModule:
    def filters(self):
        return {"images_lacking": images_lacking}
