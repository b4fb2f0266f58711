"""The course's image list, bundles' manifests, look-alike recipes and what a machine lacks: pure logic."""

import importlib.util
import io
import json
import tarfile

import pytest

from labctl.core import images, lookalikes, scenarios
from labctl.core.errors import ExitCode, LabctlError
from labctl.core.podman import normalise
from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location(
    "labctl_images_lacking", ROOT / "collections/ansible_collections/labctl/lab/plugins/filter/images_lacking.py"
)
lacking_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lacking_module)
images_lacking = lacking_module.images_lacking


def test_the_catalog_lists_every_image_once_pulled_first_with_its_scenarios():
    found = images.catalog(scenarios.load_all())
    refs = [i.ref for i in found]
    assert len(refs) == len(set(refs))
    kinds = [i.kind for i in found]
    assert kinds == sorted(kinds, key=lambda k: k != "pulled")
    alpine = next(i for i in found if i.ref == "docker.io/library/alpine:latest")
    assert {"ex1", "ex3", "ex4", "ex5"} <= set(alpine.scenarios)
    api = next(i for i in found if i.ref == "localhost/my-text-api:latest")
    assert api.kind == "built" and api.context == "ex3_three_tier/files/api"


def test_every_pulled_image_of_the_course_has_a_look_alike():
    pulled = {i.ref for i in images.catalog(scenarios.load_all()) if i.kind == "pulled"}
    assert pulled <= lookalikes.references()


def test_look_alike_recipes_come_after_what_they_are_built_from_and_hash_their_dependencies():
    order = list(lookalikes.recipes())
    assert order.index("base") < order.index("nginx")
    nginx = lookalikes.recipes()["nginx"]
    assert [d.name for d in nginx.deps] == ["base"]
    assert len(nginx.hash) == 64 and nginx.hash != lookalikes.recipes()["mysql"].hash


def test_a_look_alike_is_current_only_when_all_its_tags_name_one_image_of_its_recipe():
    nginx = lookalikes.recipes()["nginx"]
    alpine, pinned = nginx.tags[:2]
    ours = {"Id": "new", "Labels": {lookalikes.RECIPE_LABEL: nginx.hash}}
    older = {"Id": "old", "Labels": {lookalikes.RECIPE_LABEL: nginx.hash}}
    stale = {"Id": "stale", "Labels": {lookalikes.RECIPE_LABEL: "0" * 64}}
    assert lookalikes._current(nginx, dict.fromkeys(nginx.tags, ours))
    # Two builds of one recipe under its tags (one tag removed and built again): not current, and the
    # image most tags name is tagged again instead of a third build.
    split = {**dict.fromkeys(nginx.tags, ours), pinned: older}
    assert not lookalikes._current(nginx, split)
    assert lookalikes._reusable(nginx, split) == "new"
    assert lookalikes._reusable(nginx, {pinned: older}) == "old"
    assert lookalikes._reusable(nginx, dict.fromkeys(nginx.tags, stale)) is None
    assert not lookalikes._current(nginx, {alpine: ours})


@pytest.mark.parametrize(
    ("ref", "full"),
    [
        ("alpine", "docker.io/library/alpine:latest"),
        ("nginx:alpine", "docker.io/library/nginx:alpine"),
        ("someone/tool:1", "docker.io/someone/tool:1"),
        ("localhost/my-text-api", "localhost/my-text-api:latest"),
        ("127.0.0.1:5000/library/alpine:3", "127.0.0.1:5000/library/alpine:3"),
        ("quay.io/podman/hello", "quay.io/podman/hello:latest"),
    ],
)
def test_references_are_written_as_podman_lists_them(ref, full):
    assert normalise(ref) == full


def bundle(path, manifest, archive: bytes):
    with tarfile.open(path, "w") as tar:
        for name, data in (("labctl-bundle.json", json.dumps(manifest).encode()), ("images.tar", archive)):
            entry = tarfile.TarInfo(name)
            entry.size = len(data)
            tar.addfile(entry, io.BytesIO(data))


MANIFEST = {
    "format": 1,
    "images": [{"reference": "docker.io/library/alpine:latest", "id": "a" * 64}],
    "archive": {"name": "images.tar", "size": 4096, "sha256": "0" * 64},
}


def test_a_whole_bundle_reads_its_manifest(tmp_path):
    bundle(tmp_path / "b.tar", MANIFEST, b"x" * 4096)
    manifest, entry = images.read_manifest(tmp_path / "b.tar")
    assert manifest["images"][0]["id"] == "a" * 64 and entry.size == 4096


@pytest.mark.parametrize(
    ("what", "make", "words"),
    [
        ("truncated", lambda p: (bundle(p, MANIFEST, b"x" * 4096), p.write_bytes(p.read_bytes()[:3000])), "truncated"),
        ("wrong size", lambda p: bundle(p, MANIFEST, b"x" * 100), "truncated or damaged"),
        ("no manifest", lambda p: p.write_bytes(b"not a tar at all" * 100), "not a complete labctl image bundle"),
        ("foreign manifest", lambda p: bundle(p, {"format": 9}, b"x"), "unknown manifest"),
        ("missing", lambda p: None, "does not exist"),
    ],
)
def test_a_bad_bundle_is_one_sentence_and_exit_2(tmp_path, what, make, words):
    path = tmp_path / "b.tar"
    make(path)
    with pytest.raises(LabctlError) as caught:
        images.read_manifest(path)
    assert caught.value.exit_code == ExitCode.USAGE
    assert words in caught.value.message, what


CONTROLLER = [
    {"ref": "docker.io/library/alpine:latest", "id": "1", "lookalike": True},
    {"ref": "docker.io/library/nginx:alpine", "id": "2", "lookalike": False},
    {"ref": "localhost/my-flask-app:1.1", "id": "3", "lookalike": False},
]


def test_a_host_lacks_what_it_has_not_or_has_otherwise_but_keeps_its_real_image_over_a_look_alike():
    host = [
        {"Id": "9", "RepoTags": ["docker.io/library/alpine:latest"]},  # a real alpine: stays
        {"Id": "8", "RepoTags": ["docker.io/library/nginx:alpine"]},  # another nginx: replaced
    ]
    assert [i["ref"] for i in images_lacking(CONTROLLER, host)] == [
        "docker.io/library/nginx:alpine",
        "localhost/my-flask-app:1.1",
    ]


def test_a_host_with_every_image_lacks_nothing():
    host = [{"Id": i["id"], "RepoTags": [i["ref"]]} for i in CONTROLLER]
    assert images_lacking(CONTROLLER, host) == []
    assert images_lacking(CONTROLLER, []) == CONTROLLER


def test_an_image_the_host_has_under_another_name_needs_a_tag_not_a_copy():
    controller = [
        {"ref": "docker.io/library/nginx:alpine", "id": "2", "lookalike": True},
        {"ref": "docker.io/library/nginx:1.25-alpine", "id": "2", "lookalike": True},
    ]
    host = [{"Id": "2", "RepoTags": ["docker.io/library/nginx:alpine"]}]
    assert [i["ref"] for i in images_lacking(controller, host)] == ["docker.io/library/nginx:1.25-alpine"]
    assert images_lacking(controller, host, by_id=True) == []
