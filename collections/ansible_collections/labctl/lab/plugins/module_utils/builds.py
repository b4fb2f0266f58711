"""Which of an exercise's images need a build: inspect, compare, act, on the controller.

podman_image hashes only a Containerfile's text, so a change to a COPYed file would not rebuild the
image. labctl labels each image it builds with io.labctl.context=<hash of the whole build context and
of the labels asked for>; an image whose label matches is current and is neither copied nor built
(an image copied from the controller carries the same label).
"""

import hashlib
import json
import re
from pathlib import Path

CONTEXT_LABEL = "io.labctl.context"


def tree_hash(folder):
    """SHA-256 over a folder's files: their paths relative to it and their contents (caches left out)."""
    root = Path(str(folder))
    if not root.is_dir():
        raise ValueError(f"tree_hash: {root} is not a folder")
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def labels_hash(labels):
    """12 hex digits over the labels asked for, as `labels | to_json(sort_keys=true) | hash('sha1')` gives them."""
    return hashlib.sha1(json.dumps(labels or {}, sort_keys=True).encode("utf-8")).hexdigest()[:12]


def context_hash(context, labels, hash_tree=tree_hash):
    return f"{hash_tree(context)}-{labels_hash(labels)}"


def plan(images, found, hash_tree=tree_hash):
    """The images to build, each the wanted entry with hash (for its label), current (the label the
    image has now, '' when missing), old_id (the image a rebuild replaces) and dir (a folder name for
    its context on another host).

    images: [{tag, context, format, labels}]; found: the images as podman_image_info returns them."""
    todo = []
    for image in images or []:
        wanted = context_hash(image["context"], image.get("labels") or {}, hash_tree)
        same = [i for i in found or [] if image["tag"] in (i.get("RepoTags") or [])]
        current = ((same[0].get("Labels") or {}).get(CONTEXT_LABEL) or "") if same else ""
        if current != wanted:
            todo.append(
                {
                    **image,
                    "hash": wanted,
                    "current": current,
                    "old_id": same[0].get("Id", "") if same else "",
                    "dir": re.sub(r"[^A-Za-z0-9_.-]", "_", image["tag"]),
                }
            )
    return todo
