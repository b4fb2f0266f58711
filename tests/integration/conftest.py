"""What the tests on real machines share, built once per run.

The course's built images (my-flask-app, my-text-api, my-text-frontend) take minutes to build cold
(apt and pip over the network). `podman rmi` of an image's only name also removes its untagged
parent layers: every `clean --images`, Molecule's cleanup and `prepare` (which removes the images a
student builds) would throw the layer cache away. So each built image gets one more name here,
`localhost/labctl-test-cache/<name>:<hash of its build context>`: an `rmi` of the course's name then
only untags it, and the next build finds every layer in the cache (the same image, in a second).
A test that needs a cold build asks for one (`cold_build`).
"""

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator

import pytest

from tests.conftest import SUITE_USERS, Student, podman, run_labctl
from tests.room.room import LABEL as ROOM_LABEL
from tests.room.room import Room

CACHE_REPO = "localhost/labctl-test-cache"
CONTEXT_LABEL = "io.labctl.context"  # lab_build's label: the hash of the build context (and its labels)


def _keeper(ref: str, context_hash: str) -> str:
    name = ref.removeprefix("localhost/").split(":", 1)[0].replace("/", "_")
    return f"{CACHE_REPO}/{name}:{context_hash.split('-', 1)[0][:16]}"


def _keep(refs: list[str]) -> None:
    """Give each built image its cache name (and drop cache names of older contexts of the same image)."""
    for ref in refs:
        found = json.loads(podman("image", "inspect", ref, check=False) or "[]")
        if not found:  # gone (a test removed it and nothing built it again): its cache name stays as it was
            continue
        keeper = _keeper(ref, (found[0].get("Labels") or {}).get(CONTEXT_LABEL, "none"))
        stem = keeper.rsplit(":", 1)[0]
        for old in podman("images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", f"reference={stem}").split():
            if old != keeper:
                podman("untag", old, check=False)
        podman("tag", found[0]["Id"], keeper)


def _exists(ref: str) -> bool:
    return subprocess.run(["podman", "image", "exists", ref], capture_output=True).returncode == 0


def built_refs() -> list[str]:
    listing = run_labctl("images", "list", "--json")
    assert listing.rc == 0, listing.stderr
    return [r["reference"] for r in json.loads(listing.stdout) if r["kind"] == "built"]


@pytest.fixture(scope="session", autouse=True)
def course_build_cache() -> Iterator[list[str]]:
    """Every image the course builds, built once (cold only the first time on a machine) and kept by a
    cache name for the whole run; yields their references."""
    refs = built_refs()
    pulled = run_labctl("images", "pull", "--all", timeout=1800)
    assert pulled.rc == 0, f"building the course's images failed:\n{pulled.stdout}{pulled.stderr}"
    _keep(refs)
    yield refs
    _keep(refs)  # a test that rebuilt one cold leaves its new image as the cache


@pytest.fixture
def cold_build(course_build_cache) -> Iterator[Callable[[str], None]]:
    """cold_build(ref): the next build of ref starts from nothing (no name of it, no cached layer).
    Afterwards the image the test built becomes the cache."""
    asked: list[str] = []

    def make_cold(ref: str) -> None:
        asked.append(ref)
        stem = _keeper(ref, "x").rsplit(":", 1)[0]
        for name in podman("images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", f"reference={stem}").split():
            podman("untag", name, check=False)
        podman("rmi", "--force", ref, check=False)
        assert not _exists(ref), f"{ref} is still here"

    yield make_cold
    _keep(asked)


def _kept_images() -> set[str]:
    """Image names a run may leave: the course's (labctl keeps them), look-alikes of them, and the suite's
    caches (the room's machine image, the layer cache of the course's builds), each keyed by its recipe."""
    from labctl.core import images, lookalikes, scenarios

    course = {i.ref for i in images.catalog(scenarios.load_all())}
    return course | lookalikes.references() | {"localhost/labctl-lookalike-base:latest"}


KEPT_IMAGE_PREFIXES = ("localhost/labctl-room-machine:", "localhost/labctl-test-cache/")


def _store_listing(run) -> dict[str, set[str]]:
    """What one Podman store holds, by kind; `run(*args)` is podman in that store, returning stdout."""
    listings = {
        "containers": ["ps", "-a", "--format", "{{.Names}}"],
        "pods": ["pod", "ps", "--format", "{{.Name}}"],
        "networks": ["network", "ls", "--format", "{{.Name}}"],
        "volumes": ["volume", "ls", "--format", "{{.Name}}"],
        "secrets": ["secret", "ls", "--format", "{{.Name}}"],
        "images": ["images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", "dangling=false"],
    }
    found = {kind: set(run(*args).split()) for kind, args in listings.items()}
    # Podman's default network is in every store it lists; a store Podman could not read yet lists none.
    found["networks"].discard("podman")
    return found


def _podman_inventory() -> dict[str, set[str]]:
    """Root's store and the rootless stores of the suite's student accounts, by kind."""
    if not shutil.which("podman"):
        return {}
    found = {f"root's {kind}": names for kind, names in _store_listing(lambda *a: podman(*a, check=False)).items()}
    for user in SUITE_USERS:
        if subprocess.run(["id", user], capture_output=True).returncode == 0:
            listing = _store_listing(lambda *a, u=user: Student(u).podman(*a).stdout)
            found.update({f"{user}'s {kind}": names for kind, names in listing.items()})
    return found


@pytest.fixture(scope="session", autouse=True)
def nothing_left_behind():
    """The suite leaves nothing behind that was not there before it: no container, pod, network, volume
    or secret in root's store or a student's, and no image but the course's and the suite's caches."""
    before = _podman_inventory()
    yield
    after = _podman_inventory()
    kept = _kept_images()
    left = {}
    for kind, names in after.items():
        new = names - before.get(kind, set())
        if kind.endswith("images"):
            new = {n for n in new if n not in kept and not n.startswith(KEPT_IMAGE_PREFIXES)}
        if new:
            left[kind] = sorted(new)
    assert not left, f"the tests left these behind: {left}"


ROOM_MACHINES = 3


@pytest.fixture(scope="session")
def room() -> Iterator[Room]:
    """The suite's room, once per run: three fresh machines (no Podman, no images on them), always torn
    down; nothing of them stays."""
    the_room = Room(tempfile.mkdtemp(prefix="labctl-room-"))
    try:
        the_room.up(ROOM_MACHINES)
        yield the_room
    finally:
        the_room.down()
        assert not podman("ps", "-aq", "--filter", f"label={ROOM_LABEL}=true").split()
        assert not podman("volume", "ls", "-q", "--filter", f"label={ROOM_LABEL}=true").split()
        assert not os.path.exists(the_room.dir)


def ensure_set_up(room: Room) -> Room:
    """The room with Podman on every machine (`labctl host setup -i`, once per run)."""
    if not getattr(room, "set_up", False):
        setup = run_labctl("host", "setup", "-i", str(room.inventory), "--become", timeout=900)
        assert setup.rc == 0, setup.stdout + setup.stderr
        room.set_up = True
    return room


@pytest.fixture
def set_up_room(room) -> Room:
    """The room set up (ensure_set_up): any room test can run alone (-k) as well as in order."""
    return ensure_set_up(room)
