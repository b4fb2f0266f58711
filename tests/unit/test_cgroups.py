"""Reading pod limits from cgroup files: real-format v2 and v1 files in a temporary tree."""

import importlib.util

import pytest

from tests.conftest import ROOT

_SPEC = importlib.util.spec_from_file_location(
    "labctl_cgroups", ROOT / "collections/ansible_collections/labctl/lab/plugins/module_utils/cgroups.py"
)
cgroups = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(cgroups)

POD = "/machine.slice/machine-libpod_pod_3f2a.slice"


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_v2_limits_as_the_kernel_writes_them(tmp_path):
    write(tmp_path / POD.lstrip("/") / "memory.max", "209715200\n")
    write(tmp_path / POD.lstrip("/") / "cpu.max", "100000 100000\n")
    limits = cgroups.read_pod_limits(2, POD, root=str(tmp_path))
    assert limits["found"] is True
    assert limits["memory_bytes"] == 200 * 1024 * 1024
    assert limits["cpus"] == 1.0
    assert limits["files"] == {"memory.max": "209715200", "cpu.max": "100000 100000"}


def test_v2_without_limits_reads_max(tmp_path):
    write(tmp_path / POD.lstrip("/") / "memory.max", "max\n")
    write(tmp_path / POD.lstrip("/") / "cpu.max", "max 100000\n")
    limits = cgroups.read_pod_limits(2, POD, root=str(tmp_path))
    assert limits["found"] and limits["memory_bytes"] is None and limits["cpus"] is None


def test_v2_half_a_cpu(tmp_path):
    write(tmp_path / POD.lstrip("/") / "cpu.max", "50000 100000\n")
    assert cgroups.read_pod_limits(2, POD, root=str(tmp_path))["cpus"] == 0.5


def test_a_missing_cgroup_is_not_found(tmp_path):
    limits = cgroups.read_pod_limits(2, POD, root=str(tmp_path))
    assert limits["found"] is False and limits["memory_bytes"] is None


def test_v1_limits_from_the_memory_and_cpu_hierarchies(tmp_path):
    pod = "/libpod_parent/c42aba"
    write(tmp_path / "memory/libpod_parent/c42aba/memory.limit_in_bytes", "209715200\n")
    write(tmp_path / "cpu/libpod_parent/c42aba/cpu.cfs_quota_us", "100000\n")
    write(tmp_path / "cpu/libpod_parent/c42aba/cpu.cfs_period_us", "100000\n")
    limits = cgroups.read_pod_limits(1, pod, root=str(tmp_path))
    assert limits["memory_bytes"] == 209715200 and limits["cpus"] == 1.0


def test_v1_unlimited_is_a_huge_number_and_quota_minus_one(tmp_path):
    write(tmp_path / "memory/p/memory.limit_in_bytes", "9223372036854771712\n")
    write(tmp_path / "cpu/p/cpu.cfs_quota_us", "-1\n")
    write(tmp_path / "cpu/p/cpu.cfs_period_us", "100000\n")
    limits = cgroups.read_pod_limits(1, "/p", root=str(tmp_path))
    assert limits["found"] and limits["memory_bytes"] is None and limits["cpus"] is None


@pytest.mark.parametrize(
    ("version", "privileged", "controllers", "reason"),
    [
        (2, True, ["cpuset", "cpu", "io", "memory", "pids"], ""),
        (2, False, ["cpu", "memory", "pids"], ""),
        (
            2,
            False,
            ["pids"],
            "systemd does not delegate the cgroup controllers memory, cpu to user student (user@.service's Delegate=)",
        ),
        (1, True, ["cpu", "cpuacct", "memory"], ""),
        (1, False, ["cpu", "memory"], "rootless Podman cannot apply limits on cgroup v1"),
        (1, True, ["cpu"], "the cgroup controller memory is not available"),
    ],
)
def test_when_limits_are_enforced(version, privileged, controllers, reason):
    assert cgroups.limits_not_enforced_because(version, privileged, controllers, "student") == reason


def test_layout_from_mounts(tmp_path):
    hybrid = tmp_path / "hybrid"
    hybrid.write_text(
        "tmpfs /sys/fs/cgroup tmpfs ro 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n"
        "cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n"
    )
    unified = tmp_path / "unified"
    unified.write_text("cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\n")
    legacy = tmp_path / "legacy"
    legacy.write_text("tmpfs /sys/fs/cgroup tmpfs ro 0 0\ncgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n")
    assert cgroups.layout(str(hybrid)) == {"version": 1, "layout": "hybrid"}
    assert cgroups.layout(str(unified)) == {"version": 2, "layout": "unified"}
    assert cgroups.layout(str(legacy)) == {"version": 1, "layout": "legacy"}


def test_v2_controllers_delegated_to_a_user(tmp_path):
    write(tmp_path / "user.slice/user-1001.slice/user@1001.service/cgroup.controllers", "cpu memory pids\n")
    write(tmp_path / "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
    assert cgroups.v2_controllers(str(tmp_path), uid=1001) == ["cpu", "memory", "pids"]
    assert "cpuset" in cgroups.v2_controllers(str(tmp_path))


def test_one_limit_at_a_time_names_only_its_own_missing_controller():
    # Delegate=memory pids: the memory limit is enforced for the user, the CPU limit is not.
    delegated = ["memory", "pids"]
    assert cgroups.limits_not_enforced_because(2, False, delegated, "student2", wanted=("memory",)) == ""
    assert cgroups.limits_not_enforced_because(2, False, delegated, "student2", wanted=("cpu",)) == (
        "systemd does not delegate the cgroup controller cpu to user student2 (user@.service's Delegate=)"
    )


ROOTLESS_POD = "user.slice/user-libpod_pod_9c1e.slice"  # as `podman pod inspect` reports it for a user


def test_a_rootless_pod_is_read_under_its_users_systemd_manager(tmp_path):
    pod = tmp_path / "user.slice/user-1000.slice/user@1000.service" / ROOTLESS_POD
    write(pod / "memory.max", "209715200\n")
    write(pod / "cpu.max", "100000 100000\n")
    limits = cgroups.read_pod_limits(2, ROOTLESS_POD, root=str(tmp_path), uid=1000)
    assert limits["found"] and limits["memory_bytes"] == 209715200 and limits["cpus"] == 1.0
    assert limits["dir"] == str(pod)
    # Without the uid the path is taken as it stands, and nothing is there.
    assert cgroups.read_pod_limits(2, ROOTLESS_POD, root=str(tmp_path))["found"] is False


def test_a_rootless_pod_without_the_cpu_controller_has_no_cpu_max(tmp_path):
    pod = tmp_path / "user.slice/user-1001.slice/user@1001.service" / ROOTLESS_POD
    write(pod / "memory.max", "209715200\n")
    limits = cgroups.read_pod_limits(2, ROOTLESS_POD, root=str(tmp_path), uid=1001)
    assert limits["found"] and limits["memory_bytes"] == 209715200 and limits["cpus"] is None


def test_roots_pods_keep_their_path(tmp_path):
    write(tmp_path / POD.lstrip("/") / "memory.max", "209715200\n")
    assert cgroups.read_pod_limits(2, POD, root=str(tmp_path), uid=0)["dir"] == str(tmp_path / POD.lstrip("/"))
