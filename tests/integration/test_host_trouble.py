"""What no exercise can fix ends in one sentence and exit 3: a Podman that hangs, a disk that is full."""

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_labctl

pytestmark = [pytest.mark.podman]

HUNG = "labctl-test-hung-podman"


@pytest.fixture
def hanging_pod_create(tmp_path):
    """A `podman` first on PATH that hangs on `pod create` and is the real one otherwise."""
    fake = tmp_path / "bin" / "podman"
    fake.parent.mkdir()
    fake.write_text(
        f'#!/bin/bash\ncase " $* " in *" pod create "*) exec -a {HUNG} sleep 300;; esac\nexec /usr/bin/podman "$@"\n'
    )
    fake.chmod(0o755)
    yield {"PATH": f"{fake.parent}:{os.environ['PATH']}", "LABCTL_TASK_TIMEOUT": "10"}
    subprocess.run(["pkill", "-f", HUNG], check=False)


def test_a_hung_podman_is_one_sentence_and_exit_3(clean_scenario, hanging_pod_create):
    clean_scenario("ex5")
    run_labctl("clean", "ex5")
    up = run_labctl("up", "ex5", env=hanging_pod_create, timeout=300)
    assert up.rc == 3, up.stdout + up.stderr
    assert "did not finish within 10 s, so Podman may hang" in up.stderr
    assert "Traceback" not in up.stderr and "{" not in up.stderr


@pytest.fixture
def full_store(tmp_path):
    """Podman storage on a small tmpfs that holds alpine and is then filled to the last byte."""
    mount = tmp_path / "store"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)], check=True)
    conf = tmp_path / "storage.conf"
    conf.write_text(f'[storage]\ndriver = "overlay"\ngraphroot = "{mount}/root"\nrunroot = "{mount}/run"\n')
    env = {**os.environ, "CONTAINERS_STORAGE_CONF": str(conf)}
    try:
        archive = tmp_path / "alpine.tar"
        subprocess.run(["podman", "save", "-o", str(archive), "docker.io/library/alpine:latest"], check=True)
        subprocess.run(["podman", "load", "-i", str(archive)], env=env, check=True, capture_output=True)
        subprocess.run(["dd", "if=/dev/zero", f"of={mount}/filler", "bs=1M"], capture_output=True)
        yield {"CONTAINERS_STORAGE_CONF": str(conf)}
    finally:
        subprocess.run(["podman", "pod", "rm", "--force", "--all"], env=env, capture_output=True)
        subprocess.run(["podman", "rm", "--force", "--all"], env=env, capture_output=True)
        subprocess.run(["umount", "--lazy", str(mount)], check=False)


def test_a_full_disk_is_one_sentence_and_exit_3(full_store):
    up = run_labctl("up", "ex5", env=full_store, timeout=300)
    assert up.rc == 3, up.stdout + up.stderr
    assert "the disk is full (no space left on device)" in up.stderr
    assert "Traceback" not in up.stderr
    assert Path(full_store["CONTAINERS_STORAGE_CONF"]).exists()
