"""The labs without labctl's CLI, as Ansible users take content.

The built collection (scripts/build-collection), installed with ansible-galaxy into an empty
collections path - containers.podman from the copy labctl ships, offline - runs up, verify (every
check PASS) and clean of ex1 with plain ansible-playbook, naming the exercise by its id. And
ansible-pull, from a git repository on this machine (file://, no network), resets an exercise as IT
would from a timer.
"""

import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, podman, podman_json

pytestmark = [pytest.mark.podman, pytest.mark.slow]

BIN = Path(sys.executable).parent
PODMAN_COLLECTION = ROOT / "collections" / "ansible_collections" / "containers" / "podman"


def run(argv, cwd, env, timeout=600):
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    return proc


def plain_env(home: Path, **extra) -> dict[str, str]:
    """An environment with none of labctl's: Ansible's own defaults, an empty roles path."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "LABCTL_"))}
    return {
        **keep,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(home),
        "ANSIBLE_LOCAL_TEMP": str(home / "tmp"),
        "ANSIBLE_ROLES_PATH": str(home / "no-roles"),
        "ANSIBLE_NOCOLOR": "1",
        # labctl's own install puts labctl.lab on Python's path, where Ansible also looks for collections
        # (ansible-galaxy would call it installed already): an Ansible user without labctl has none there.
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "False",
        **extra,
    }


def ex1_ids() -> dict[str, str]:
    return {
        c["Names"][0]: c["Id"]
        for c in podman_json("ps", "-a", "--format", "json")
        if c["Names"][0] in ("webserver", "client")
    }


def run_stats(output: str) -> dict:
    """The custom stats of a run for all hosts (set_stats, per_host false), as the default callback
    prints them with show_custom_stats: one line "RUN: {json}"."""
    lines = [line.strip() for line in output.splitlines() if line.strip().startswith("RUN: ")]
    assert lines, f"no custom stats in: {output[-2000:]}"
    return json.loads(lines[-1].removeprefix("RUN: "))


@pytest.fixture
def installed(tmp_path):
    """labctl.lab built from this checkout and installed, with containers.podman, into an empty path."""
    built = subprocess.run(
        [str(ROOT / "scripts" / "build-collection"), str(tmp_path / "dist")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    tarball = Path(built.stdout.strip().splitlines()[-1])
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("MANIFEST.json"))
    assert {
        "playbooks/up.yml",
        "playbooks/steps/read.yml",
        "roles/ex1_network_dns/tasks/up.yml",
        "roles/host/tasks/preflight.yml",
        "scenarios/ex1.yml",
        "plugins/modules/wait_ready.py",
        "plugins/modules/host_containers_conf.py",  # the host role's own module, where a collection's role finds it
    } <= names
    assert not any("/library/" in n or "__pycache__" in n for n in names)
    assert manifest["collection_info"]["dependencies"] == {"containers.podman": ">=1.18.0"}
    home = tmp_path / "home"
    (home / "no-roles").mkdir(parents=True)
    requirements = tmp_path / "requirements.yml"
    requirements.write_text(
        f"collections:\n  - name: {tarball}\n    type: file\n  - name: {PODMAN_COLLECTION}\n    type: dir\n"
    )
    collections = tmp_path / "collections"
    env = plain_env(home)
    install = run(
        [
            str(BIN / "ansible-galaxy"),
            "collection",
            "install",
            "-r",
            str(requirements),
            "-p",
            str(collections),
            "--offline",
        ],
        tmp_path,
        env,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    assert (collections / "ansible_collections" / "labctl" / "lab" / "MANIFEST.json").is_file()
    assert (collections / "ansible_collections" / "containers" / "podman" / "MANIFEST.json").is_file()
    return tmp_path, plain_env(home, ANSIBLE_COLLECTIONS_PATH=str(collections))


def test_the_built_collection_sets_ex1_up_verifies_and_cleans_it_with_plain_ansible_playbook(installed, clean_scenario):
    clean_scenario("ex1")
    work, env = installed
    inventory = work / "room.ini"
    inventory.write_text(f"lab ansible_connection=local ansible_python_interpreter={sys.executable}\n")

    def playbook(verb, *extra, callback="default"):
        return run(
            [
                str(BIN / "ansible-playbook"),
                f"labctl.lab.{verb}",
                "-i",
                str(inventory),
                "-e",
                "lab_scenario_id=ex1",
                *extra,
            ],
            work,
            {**env, "ANSIBLE_STDOUT_CALLBACK": callback, "ANSIBLE_SHOW_CUSTOM_STATS": "1"},
        )

    assert playbook("clean").returncode == 0
    up = playbook("up")
    assert up.returncode == 0, up.stdout[-4000:] + up.stderr[-2000:]
    assert set(ex1_ids()) == {"webserver", "client"}
    labels = podman_json("container", "inspect", "webserver")[0]["Config"]["Labels"]
    assert labels["io.labctl.scenario"] == "ex1"

    verify = playbook("verify")
    assert verify.returncode == 0, verify.stdout[-4000:] + verify.stderr[-2000:]
    stats = run_stats(verify.stdout)["labctl"]["lab"]
    assert stats["verb"] == "verify" and stats["scenario"] == "ex1"
    assert stats["checks"] == {"total": 5, "passed": 5, "failed": 0, "skipped": 0, "not_enforced": 0, "failing": []}

    podman("stop", "--time", "0", "client")
    broken = playbook("verify")
    assert broken.returncode != 0, "verify passed on a broken lab"
    failing = run_stats(broken.stdout)["labctl"]["lab"]["checks"]["failing"]
    assert "client-running" in failing, failing

    clean = playbook("clean")
    assert clean.returncode == 0, clean.stdout[-4000:] + clean.stderr[-2000:]
    assert ex1_ids() == {}
    assert "my-web-net" not in podman("network", "ls", "--format", "{{.Name}}").split()


def test_ansible_pull_resets_an_exercise_from_a_repository_on_this_machine(tmp_path, clean_scenario):
    """What IT runs from a timer on each machine: ansible-pull clones the repository (here a file://
    one made of this checkout's content) and runs the reset playbook of ex1 in it."""
    clean_scenario("ex1")
    source = tmp_path / "labctl.git"
    source.mkdir()
    for part in ("ansible.cfg", "playbooks", "roles", "scenarios", "collections"):
        if (ROOT / part).is_dir():
            shutil.copytree(ROOT / part, source / part, ignore=shutil.ignore_patterns("__pycache__", "oom"))
        else:
            shutil.copy2(ROOT / part, source / part)
    git = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    for argv in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "labs"]):
        subprocess.run(argv, cwd=source, env={**os.environ, **git}, check=True, capture_output=True)
    home = tmp_path / "home"
    (home / "no-roles").mkdir(parents=True)
    env = plain_env(home)
    env.pop("ANSIBLE_ROLES_PATH")  # the clone's ansible.cfg names its roles and collections

    def pull(verb):
        return run(
            [
                str(BIN / "ansible-pull"),
                "-U",
                f"file://{source}",
                "-C",
                "main",
                "-d",
                str(tmp_path / "checkout"),
                "-i",
                "localhost,",
                "-c",
                "local",
                "-e",
                f"ansible_python_interpreter={sys.executable}",
                "-e",
                "lab_scenario_id=ex1",
                f"playbooks/{verb}.yml",
            ],
            tmp_path,
            env,
        )

    up = pull("up")
    assert up.returncode == 0, up.stdout[-4000:] + up.stderr[-2000:]
    before = ex1_ids()
    assert set(before) == {"webserver", "client"}
    reset = pull("reset")
    assert reset.returncode == 0, reset.stdout[-4000:] + reset.stderr[-2000:]
    after = ex1_ids()
    assert set(after) == {"webserver", "client"}
    assert not set(after.values()) & set(before.values()), "reset must recreate the containers"
    verify = pull("verify")
    assert verify.returncode == 0, verify.stdout[-4000:] + verify.stderr[-2000:]
    assert pull("clean").returncode == 0
    assert ex1_ids() == {}
