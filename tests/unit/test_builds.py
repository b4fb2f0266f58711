"""lab_build's planner (labctl.lab.build_plan): which images to build, from the wanted images and the
host's, and a label that stays the one older labctl versions wrote (no rebuild after an upgrade)."""

import pytest
from ansible.plugins.filter.core import get_hash, to_json
from ansible_collections.labctl.lab.plugins.module_utils import builds

import tests.unit.collection  # noqa: F401 - module_utils importable
from tests.unit.collection import load

build_plan = load("plugins/filter/build_plan.py").build_plan
tree_hash = load("plugins/filter/tree_hash.py").tree_hash


@pytest.fixture
def context(tmp_path):
    folder = tmp_path / "flask-app"
    folder.mkdir()
    (folder / "Containerfile").write_text("FROM python:3.12-slim\nCOPY app.py /\n")
    (folder / "app.py").write_text("print('hello')\n")
    return folder


def wanted(context, tag="localhost/my-flask-app:1.1", labels=None):
    return {"tag": tag, "context": str(context), "format": "docker", "labels": labels or {"io.labctl.built-for": "ex2"}}


def test_the_label_is_the_one_the_jinja_planner_wrote():
    labels = {"io.labctl.built-for": "ex2"}
    jinja = get_hash(to_json(labels, sort_keys=True), "sha1")[:12]
    assert builds.labels_hash(labels) == jinja
    assert builds.labels_hash({}) == get_hash(to_json({}, sort_keys=True), "sha1")[:12]


def test_a_missing_image_is_built(context):
    todo = build_plan([wanted(context)], [])
    assert len(todo) == 1
    image = todo[0]
    assert image["hash"] == f"{builds.tree_hash(context)}-{builds.labels_hash(image['labels'])}"
    assert (image["current"], image["old_id"], image["dir"]) == ("", "", "localhost_my-flask-app_1.1")
    assert image["format"] == "docker"  # the wanted entry comes back whole


def test_a_current_image_is_left_alone_and_a_changed_file_rebuilds_it(context):
    image = wanted(context)
    label = builds.context_hash(str(context), image["labels"])
    found = [{"Id": "abc123", "RepoTags": [image["tag"]], "Labels": {"io.labctl.context": label}}]
    assert build_plan([image], found) == []
    (context / "app.py").write_text("print('changed')\n")  # not the Containerfile: podman_image would not notice
    todo = build_plan([image], found)
    assert [(t["current"], t["old_id"]) for t in todo] == [(label, "abc123")]


def test_other_labels_asked_for_mean_a_rebuild(context):
    image = wanted(context)
    label = builds.context_hash(str(context), {"io.labctl.built-for": "ex1"})
    found = [{"Id": "abc", "RepoTags": [image["tag"]], "Labels": {"io.labctl.context": label}}]
    assert len(build_plan([image], found)) == 1


def test_an_image_without_labels_of_its_own_is_built_over(context):
    image = wanted(context)
    found = [{"Id": "abc", "RepoTags": [image["tag"]], "Labels": None}]
    assert build_plan([image], found)[0]["current"] == ""


def test_tree_hash_covers_names_and_contents_but_not_caches(context):
    first = tree_hash(str(context))
    (context / "__pycache__").mkdir()
    (context / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"\0")
    assert tree_hash(str(context)) == first
    (context / "app.py").rename(context / "main.py")
    assert tree_hash(str(context)) != first


def test_tree_hash_of_no_folder_is_an_error(tmp_path):
    from ansible.errors import AnsibleFilterError

    with pytest.raises(AnsibleFilterError, match="is not a folder"):
        tree_hash(str(tmp_path / "nothing"))
