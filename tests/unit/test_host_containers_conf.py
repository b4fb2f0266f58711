"""The host role's reading of Podman's containers.conf files: order, ownership, and the merge labctl writes."""

import importlib.util
from pathlib import Path

import pytest

from tests.conftest import ROOT

MARKER = "# Written by labctl"
LEGACY_MARKER = "labctl's host role wrote this"
DEFAULTS = {"nofile": 1048576, "nproc": 4194304}


@pytest.fixture(scope="module")
def conf():
    spec = importlib.util.spec_from_file_location(
        "host_containers_conf", ROOT / "roles" / "host" / "library" / "host_containers_conf.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def dirs(tmp_path):
    """A fake /usr/share/containers and /etc/containers (with containers.conf.d) for root."""
    share, etc = tmp_path / "share", tmp_path / "etc"
    (etc / "containers.conf.d").mkdir(parents=True)
    share.mkdir()
    return {"share": str(share), "etc": str(etc)}


def params(dirs, **kw):
    base = {
        "dropin": f"{dirs['etc']}/containers.conf.d/90-labctl.conf",
        "marker": MARKER,
        "legacy": [f"{dirs['etc']}/containers.conf.d/50-labctl.conf"],
        "legacy_marker": LEGACY_MARKER,
        "runtime": "",
        "runtime_default": "",
        "ceilings": {},
        "defaults": DEFAULTS,
    }
    return base | kw


def write(path: str, text: str) -> None:
    Path(path).write_text(text)


def test_root_reads_share_etc_then_dropins_in_name_order_with_labctls_where_it_sorts(conf, dirs):
    d = f"{dirs['etc']}/containers.conf.d"
    for name in ("99-late.conf", "10-early.conf", "notes.txt"):
        write(f"{d}/{name}", "")
    write(f"{dirs['etc']}/containers.conf", "")
    files = conf.chain(0, {}, f"{d}/90-labctl.conf", **dirs)
    assert files == [
        f"{dirs['etc']}/containers.conf",
        f"{d}/10-early.conf",
        f"{d}/90-labctl.conf",
        f"{d}/99-late.conf",
    ]


def test_a_normal_user_also_reads_their_own_files_after_the_system_ones(conf, dirs, tmp_path):
    home = tmp_path / "config"
    (home / "containers" / "containers.conf.d").mkdir(parents=True)
    write(f"{home}/containers/containers.conf.d/10-mine.conf", "")
    write(f"{dirs['etc']}/containers.conf.d/10-admin.conf", "")
    files = conf.chain(1000, {"XDG_CONFIG_HOME": str(home)}, None, **dirs)
    assert files == [
        f"{dirs['etc']}/containers.conf.d/10-admin.conf",
        f"{home}/containers/containers.conf.d/10-mine.conf",
    ]


def test_containers_conf_in_the_environment_is_the_only_file(conf, dirs):
    assert conf.chain(0, {"CONTAINERS_CONF": "/x.conf"}, None, **dirs) == ["/x.conf"]


@pytest.mark.parametrize("with_tomllib", [True, False])
def test_both_parsers_read_runtime_and_default_ulimits_and_nothing_else(conf, monkeypatch, with_tomllib):
    if not with_tomllib:
        monkeypatch.setattr(conf, "tomllib", None)
    text = """
# runtime = "crun" in a comment
[containers]
default_ulimits = [
  "nofile=1024:2048",   # a comment with "quotes"
  "core=-1",
]
default_sysctls = ["net.ipv4.ping_group_range=0 0"]

[engine]
runtime = "runc"  # why: hybrid cgroups

[engine.runtimes]
runc = ["/usr/bin/runc"]
"""
    assert conf.parse_keys(text) == {
        ("containers", "default_ulimits"): ["nofile=1024:2048", "core=-1"],
        ("engine", "runtime"): "runc",
    }


def test_nothing_configured_gets_podmans_defaults_capped_at_the_ceilings(conf):
    merged, notes = conf.merge_ulimits([], {"nofile": 20000, "nproc": 32768}, DEFAULTS)
    assert merged == ["nofile=20000:20000", "nproc=32768:32768"]
    assert notes == [
        "nofile=20000:20000, below Podman's default 1048576",
        "nproc=32768:32768, below Podman's default 4194304",
    ]


def test_configured_entries_are_kept_and_only_those_above_the_ceiling_lowered(conf):
    merged, notes = conf.merge_ulimits(["core=-1", "nofile=4096:65536"], {"nofile": 20000, "nproc": 32768}, DEFAULTS)
    assert merged == ["core=-1", "nofile=4096:20000", "nproc=32768:32768"]
    assert "nofile lowered from 4096:65536 to the hard limit 20000" in notes
    assert "kept core=-1" in notes


def test_unlimited_means_above_any_ceiling_and_a_ceiling_of_unlimited_caps_nothing(conf):
    assert conf.merge_ulimits(["nofile=-1:-1"], {"nofile": 20000}, {})[0] == ["nofile=20000:20000"]
    assert conf.merge_ulimits([], {"nofile": -1, "nproc": -1}, DEFAULTS) == ([], [])


def test_nothing_to_write_when_everything_configured_fits(conf):
    ceilings = {"nofile": 20000, "nproc": 32768}
    assert conf.merge_ulimits(["nofile=1024:2048", "nproc=100"], ceilings, DEFAULTS) == ([], [])
    assert conf.merge_ulimits(["bogus"], {}, DEFAULTS) == ([], [])


def test_labctls_header_is_the_first_line_and_the_legacy_one_is_recognised(conf, tmp_path):
    mine, old, admin = tmp_path / "a.conf", tmp_path / "b.conf", tmp_path / "c.conf"
    mine.write_text(f"{MARKER} (`labctl host setup`): …\n[engine]\n")
    old.write_text(f"# Ansible managed\n# {LEGACY_MARKER} because …\n")
    admin.write_text(f"[engine]\n# {MARKER}\n")
    assert conf.labctl_wrote(str(mine), MARKER)
    assert not conf.labctl_wrote(str(old), MARKER)
    assert conf.labctl_wrote(str(old), MARKER, LEGACY_MARKER)
    assert not conf.labctl_wrote(str(admin), MARKER, LEGACY_MARKER)
    assert not conf.labctl_wrote(str(tmp_path / "missing.conf"), MARKER)


def test_the_merge_reads_the_files_before_labctls_and_reports_those_after_it(conf, dirs):
    d = f"{dirs['etc']}/containers.conf.d"
    write(f"{d}/10-admin.conf", '[containers]\ndefault_ulimits = ["core=0", "nofile=2048:1048576"]\n')
    write(f"{d}/90-labctl.conf", f'{MARKER}\n[containers]\ndefault_ulimits = ["nofile=1:1"]\n')
    write(f"{d}/95-override.conf", '[engine]\nruntime = "crun"\n')
    result = conf.look(params(dirs, ceilings={"nofile": 20000, "nproc": 32768}), 0, {}, **dirs)
    assert result["own"] == {"path": f"{d}/90-labctl.conf", "exists": True, "labctl": True}
    assert result["configured"]["default_ulimits"]["file"] == f"{d}/10-admin.conf"
    assert result["settings"]["default_ulimits"] == ["core=0", "nofile=2048:20000", "nproc=32768:32768"]
    assert result["overridden_by"] == [f"{d}/95-override.conf (runtime)"]


def test_labctls_older_drop_in_is_not_merged_but_an_admins_file_of_that_name_is(conf, dirs):
    d = f"{dirs['etc']}/containers.conf.d"
    write(f"{d}/50-labctl.conf", f'# Ansible managed\n# {LEGACY_MARKER}\n[engine]\nruntime = "runc"\n')
    result = conf.look(params(dirs, runtime="runc", runtime_default="crun"), 0, {}, **dirs)
    assert result["legacy"] == [{"path": f"{d}/50-labctl.conf", "labctl": True}]
    assert result["configured"] == {}
    assert result["settings"]["runtime"] == "runc"

    write(f"{d}/50-labctl.conf", '[engine]\nruntime = "runc"\n')
    result = conf.look(params(dirs, runtime="runc", runtime_default="crun"), 0, {}, **dirs)
    assert result["legacy"] == [{"path": f"{d}/50-labctl.conf", "labctl": False}]
    assert result["settings"]["runtime"] == "", "the admin already configured runc"


def test_the_runtime_is_written_only_when_podman_would_take_another(conf, dirs):
    def runtime(default):
        return conf.look(params(dirs, runtime="runc", runtime_default=default), 0, {}, **dirs)["settings"]["runtime"]

    assert runtime("runc") == ""
    assert runtime("crun") == "runc"


def test_an_unreadable_file_stops_a_merge_but_not_a_look(conf, dirs):
    write(f"{dirs['etc']}/containers.conf.d/10-broken.conf", "[containers\n")
    assert conf.look(params(dirs), 0, {}, **dirs)["unreadable"] == [f"{dirs['etc']}/containers.conf.d/10-broken.conf"]
    with pytest.raises(ValueError, match=r"10-broken\.conf is not valid TOML"):
        conf.look(params(dirs, runtime="runc"), 0, {}, **dirs)
