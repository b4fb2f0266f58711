"""Images before class: a room's registry mirror, a bundle for a USB stick, a student's own store, and
quickstart on a machine where no registry answers — all against real Podman and a real registry."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, podman, podman_json, run_labctl
from tests.registry import local_registry

pytestmark = [pytest.mark.podman, pytest.mark.slow]

REGISTRIES_D = Path("/etc/containers/registries.conf.d")


def course_refs(*scenarios: str, kind: str | None = None) -> list[str]:
    rows = run_labctl("images", "list", "--json", *scenarios).json()
    return [r["reference"] for r in rows if kind is None or r["kind"] == kind]


def image_ids() -> dict[str, str]:
    return {
        name: image["Id"] for image in podman_json("images", "--format", "json") for name in image.get("Names") or []
    }


def remove_images(refs: list[str]) -> None:
    """Take the references away; an image that a built image still builds on keeps its layers, untagged."""
    for ref in refs:
        if subprocess.run(["podman", "image", "rm", ref], capture_output=True).returncode != 0:
            podman("untag", ref, check=False)
    left = set(refs) & set(image_ids())
    assert not left, f"could not remove {left}"


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.glob("*"))} if folder.is_dir() else {}


@pytest.fixture
def backup(tmp_path):
    """Whatever a test removes, the course's images are back afterwards (from a bundle made before)."""
    bundle = tmp_path / "backup.tar"
    before = image_ids()
    saved = run_labctl("images", "save", "-o", str(bundle), "ex1", "ex2")
    assert saved.rc == 0, saved.stderr
    yield bundle
    restored = run_labctl("images", "load", str(bundle))
    assert restored.rc == 0, restored.stderr
    # Names outside the bundle that shared an image with a name in it (nginx:1.25-alpine with
    # nginx:alpine) name that image again, and what a rebuild during the test left untagged goes.
    now = image_ids()
    for ref, image_id in before.items():
        if now.get(ref) != image_id and image_id in now.values():
            podman("tag", image_id, ref)
    podman("image", "prune", "--force", "--filter", "label=io.labctl.lookalike=true", check=False)
    now = image_ids()
    assert {ref: now.get(ref) for ref in before} == before


def test_the_rooms_mirror_serves_up_and_is_removed_cleanly(backup, clean_scenario):
    clean_scenario("ex1")
    clean_scenario("ex2")
    before = snapshot(REGISTRIES_D)
    pulled = course_refs("ex1", "ex2", kind="pulled")
    try:
        with local_registry() as registry:
            pushed = run_labctl("images", "push", registry.address, "--insecure", "ex1", "ex2", "--json")
            assert pushed.rc == 0, pushed.stderr
            assert {p["reference"] for p in pushed.json()} == set(pulled)
            assert {"library/alpine", "library/nginx", "library/mysql", "library/python"} <= set(registry.catalog())

            remove_images(pulled)
            setup = run_labctl("host", "setup", "--registry-mirror", registry.address, "--insecure")
            assert setup.rc == 0, setup.stdout + setup.stderr
            assert f"registry mirror — {registry.address} answers" in setup.stdout
            check = run_labctl("host", "check", "--json").json()
            mirror = next(c for c in check["checks"] if c["id"] == "registry-mirror")
            assert mirror["status"] == "PASS" and registry.address in mirror["found"], mirror

            for scenario in ("ex1", "ex2"):
                up = run_labctl("up", scenario)
                assert up.rc == 0, up.stdout + up.stderr
                verify = run_labctl("verify", scenario)
                assert verify.rc == 0, verify.stdout + verify.stderr
            pulls = [r for r in registry.requests() if r.startswith("GET /v2/library/") and "/manifests/" in r]
            for name in ("alpine", "nginx", "mysql", "python"):
                assert any(f"/library/{name}/manifests/" in r for r in pulls), (name, pulls)
            assert set(pulled) <= set(image_ids())
    finally:  # whatever failed above, no later test may find a mirror pointing at a dead port
        removed = run_labctl("host", "setup", "--no-registry-mirror")
    assert removed.rc == 0, removed.stdout + removed.stderr
    assert snapshot(REGISTRIES_D) == before


def test_a_bundle_brings_the_course_to_a_machine_with_no_registry(tmp_path, backup, clean_scenario):
    clean_scenario("ex1")
    clean_scenario("ex2")
    pulled = run_labctl("images", "pull", "--all")  # builds what the exercises build; no registry answers here
    assert pulled.rc == 0, pulled.stdout + pulled.stderr
    every = course_refs()
    bundle = tmp_path / "course.tar"
    saved = run_labctl("images", "save", "-o", str(bundle), "--all", "--json")
    assert saved.rc == 0, saved.stderr
    manifest = saved.json()
    assert {i["reference"] for i in manifest["images"]} == set(every)
    ids = image_ids()
    assert all(ids[i["reference"]] == i["id"] for i in manifest["images"])

    remove_images(
        [r for r in every if r.startswith("localhost/")] + [r for r in every if not r.startswith("localhost/")]
    )
    loaded = run_labctl("images", "load", str(bundle), "--json")
    assert loaded.rc == 0, loaded.stderr
    assert set(loaded.json()["loaded"]) == set(every)
    assert {r: image_ids().get(r) for r in every} == {i["reference"]: i["id"] for i in manifest["images"]}

    again = run_labctl("images", "load", str(bundle), "--json")
    assert again.rc == 0 and again.json()["loaded"] == [], again.stdout + again.stderr

    for scenario in ("ex1", "ex2"):
        up = run_labctl("up", scenario, "--pull", "never")
        assert up.rc == 0, up.stdout + up.stderr
        verify = run_labctl("verify", scenario)
        assert verify.rc == 0, verify.stdout + verify.stderr

    # A truncated copy is refused before anything is loaded.
    truncated = tmp_path / "truncated.tar"
    with bundle.open("rb") as whole, truncated.open("wb") as part:
        part.write(whole.read(bundle.stat().st_size // 2))
    before = image_ids()
    refused = run_labctl("images", "load", str(truncated))
    assert refused.rc == 2, refused.stdout + refused.stderr
    assert "truncated" in refused.stderr and "Traceback" not in refused.stderr
    now = image_ids()
    assert {ref: now.get(ref) for ref in before} == before

    # A damaged copy (same size) is refused by its checksum, and leaves nothing half-loaded tagged.
    damaged = tmp_path / "damaged.tar"
    shutil.copyfile(bundle, damaged)
    with damaged.open("r+b") as f:
        f.seek(damaged.stat().st_size // 2)
        f.write(b"\0labctl\0" * 64)
    podman("untag", "docker.io/library/alpine:latest")
    refused = run_labctl("images", "load", str(damaged))
    assert refused.rc == 2, refused.stdout + refused.stderr
    assert "damaged" in refused.stderr
    assert "docker.io/library/alpine:latest" not in image_ids()


def test_root_loads_a_bundle_into_a_students_store(tmp_path, rootless_student):
    bundle = tmp_path / "ex1.tar"
    assert run_labctl("images", "save", "-o", str(bundle), "ex1").rc == 0
    loaded = run_labctl("images", "load", str(bundle), "--lab-user", rootless_student.name, "--json")
    assert loaded.rc == 0, loaded.stderr
    assert loaded.json()["store"] == f"{rootless_student.name}'s store"
    listed = json.loads(rootless_student.labctl("images", "list", "--json", "ex1").stdout)
    assert all(r["present"] for r in listed), listed
    try:
        up = rootless_student.labctl("up", "ex1", "--pull", "never")
        assert up.rc == 0, up.stdout + up.stderr
        verify = rootless_student.labctl("verify", "ex1")
        assert verify.rc == 0, verify.stdout + verify.stderr
    finally:
        rootless_student.labctl("clean", "ex1")
    again = run_labctl("images", "load", str(bundle), "--lab-user", rootless_student.name, "--json")
    assert again.json()["loaded"] == [], again.stdout


def test_quickstart_builds_look_alikes_when_no_registry_answers(tmp_path, backup, clean_scenario):
    clean_scenario("ex1")
    checkout = tmp_path / "labctl"
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, checkout / name)
    link = Path("/usr/local/bin/labctl")
    was = os.readlink(link) if link.is_symlink() else None
    remove_images(course_refs("ex1", kind="pulled"))
    try:
        quick = subprocess.run(["scripts/quickstart"], cwd=checkout, capture_output=True, text=True, timeout=1200)
        assert quick.returncode == 0, quick.stdout[-3000:] + quick.stderr[-3000:]
        assert "building look-alikes" in quick.stdout
        assert "look-alike docker.io/library/nginx:alpine" in quick.stdout
        rows = run_labctl("images", "list", "ex1", "--json").json()
        assert all(r["present"] and r["lookalike"] for r in rows), rows
        verify = run_labctl("verify", "ex1")
        assert verify.rc == 0, verify.stdout + verify.stderr
    finally:
        if was is None:
            link.unlink(missing_ok=True)
        else:
            link.unlink(missing_ok=True)
            link.symlink_to(was)


def build_with_lab_build(context: Path, tag: str, bundle: str) -> subprocess.CompletedProcess:
    playbook = context.parent / "build.yml"
    playbook.write_text(
        "- hosts: localhost\n  gather_facts: false\n  roles:\n    - role: lab_build\n"
        f"      lab_build_images: [{{tag: '{tag}', context: '{context}'}}]\n"
        f"      lab_build_ca_bundle: '{bundle}'\n"
    )
    env = {
        **os.environ,
        "ANSIBLE_ROLES_PATH": str(ROOT / "roles"),
        "ANSIBLE_COLLECTIONS_PATH": str(ROOT / "collections"),
        "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
    }
    bin_dir = Path(sys.executable).parent
    return subprocess.run(
        [
            str(bin_dir / "ansible-playbook"),
            *("-i", "localhost,", "-c", "local", "-e", f"ansible_python_interpreter={sys.executable}"),
            str(playbook),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


def test_builds_trust_a_tls_inspecting_proxys_ca_through_the_hosts_bundle(tmp_path):
    extra = sorted(Path("/usr/local/share/ca-certificates").rglob("*.crt"))
    if not extra:
        why = "this machine's egress has no TLS-inspecting proxy (no extra CA in /usr/local/share/ca-certificates)"
        if os.environ.get("LABCTL_CI"):  # CI's machines have one: there the test must run, never skip
            pytest.fail(why)
        pytest.skip(why)
    context = tmp_path / "context"
    context.mkdir()
    # An image that knows nothing of the proxy's CA: pip over HTTPS fails in it unless the build trusts it.
    (context / "Containerfile").write_text(
        "FROM localhost/labctl-lookalike-base:latest\n"
        "RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-pip >/dev/null\n"
        "RUN pip download --no-deps --quiet -d /tmp/wheels six && ls /tmp/wheels\n"
    )
    tag = "localhost/labctl-test-proxy-ca:latest"
    try:
        without = build_with_lab_build(context, tag, "")
        assert without.returncode != 0, "pip reached PyPI without the proxy's CA: the test proves nothing here"
        assert "CERTIFICATE_VERIFY_FAILED" in without.stdout + without.stderr, without.stdout[-3000:]
        with_ca = build_with_lab_build(context, tag, "/etc/ssl/certs/ca-certificates.crt")
        assert with_ca.returncode == 0, with_ca.stdout[-3000:]
        # The bundle was mounted for the build only: the image carries no certificate and no pip.conf of it.
        left = podman("run", "--rm", tag, "sh", "-c", "cat /run/labctl/* /etc/pip.conf 2>/dev/null; true")
        assert "CERTIFICATE" not in left and "cert =" not in left, left[:300]
    finally:
        podman("image", "rm", "-f", tag, check=False)
