"""How `labctl status` judges a scenario from Podman's listings (pure logic over listing-shaped data)."""

import json

from labctl.core import status
from labctl.core.scenarios import Resources, Scenario
from labctl.core.secrets import redact, redact_text
from labctl.core.status import ABSENT, FAILING, PARTIAL, UP, Snapshot, assess

EX2 = Scenario(
    id="ex2",
    title="t",
    course_ref="c",
    role="ex2_pod_mysql",
    ports={"host_port": 8080},
    resources=Resources(
        pods={"pod": "db-app-pod"},
        containers={"db_name": "database", "app_name": "webapp"},
        volumes={"volume": "mysql_data"},
    ),
)


def ctr(name, state="running", status="Up 1 minute", pod="db-app-pod", ports=None, exit_code=0):
    return {
        "Names": [name],
        "State": state,
        "Status": status,
        "PodName": pod,
        "ExitCode": exit_code,
        "Ports": ports or [{"host_port": 8080, "container_port": 5000, "range": 1}],
    }


def snap(containers=(), pods=None, volumes=("mysql_data",)):
    return Snapshot(
        containers={c["Names"][0]: c for c in containers},
        pods=pods if pods is not None else {"db-app-pod": {"Name": "db-app-pod", "Status": "Running"}},
        volumes={v: {"Name": v} for v in volumes},
    )


def test_everything_there_and_running_is_up_with_its_port():
    state = assess(EX2, snap([ctr("database"), ctr("webapp")]))
    assert (state.state, state.missing, state.problems, state.ports) == (UP, [], [], [8080])


def test_nothing_there_is_absent():
    state = assess(EX2, snap([], pods={}, volumes=()))
    assert state.state == ABSENT and state.ports == []


def test_a_missing_container_is_partial_and_named():
    state = assess(EX2, snap([ctr("database")]))
    assert state.state == PARTIAL and state.missing == ["container webapp"]


def test_an_exited_or_unhealthy_container_is_up_but_failing():
    state = assess(
        EX2, snap([ctr("database", state="exited", exit_code=137), ctr("webapp", status="Up 2 minutes (unhealthy)")])
    )
    assert state.state == FAILING
    assert state.problems == ["database is exited (137)", "webapp is unhealthy"]


def test_a_degraded_pod_is_a_problem():
    pods = {"db-app-pod": {"Name": "db-app-pod", "Status": "Degraded"}}
    state = assess(EX2, snap([ctr("database"), ctr("webapp")], pods=pods))
    assert state.state == FAILING and "pod db-app-pod is degraded" in state.problems


# --- secrets: status --json and the run logs show names, never secret values ---------------------------

ENV = ["PATH=/usr/bin", "MYSQL_ROOT_PASSWORD=hunter2 x", "MYSQL_DATABASE=app", "API_TOKEN=t-1", "GPG_KEY=k"]


def test_redact_masks_the_values_of_secret_named_variables_and_keeps_their_names():
    assert redact(ENV) == [
        "PATH=/usr/bin",
        "MYSQL_ROOT_PASSWORD=********",
        "MYSQL_DATABASE=app",
        "API_TOKEN=********",
        "GPG_KEY=********",
    ]
    assert redact({"env": {"MYSQL_PASSWORD": "x", "PORT": "80"}, "n": 3}) == {
        "env": {"MYSQL_PASSWORD": "********", "PORT": "80"},
        "n": 3,
    }


def test_redact_text_finds_assignments_inside_command_lines_and_json_text():
    assert redact_text("--env=MYSQL_ROOT_PASSWORD=pw") == "--env=MYSQL_ROOT_PASSWORD=********"
    assert redact_text('{"Env": ["A=1", "DB_PASSWORD=p\\"q r", "B=2"]}') == (
        '{"Env": ["A=1", "DB_PASSWORD=********", "B=2"]}'
    )
    assert redact_text("PATH=/bin io.labctl.key=v") == "PATH=/bin io.labctl.key=v"  # labels are no variables


def test_status_inspect_masks_container_env_and_create_command(monkeypatch):
    container = {
        "Name": "database",
        "Config": {"Env": ENV, "CreateCommand": ["podman", "run", "-e", "MYSQL_ROOT_PASSWORD=hunter2 x", "mysql"]},
        "Mounts": [{"Type": "volume", "Name": "mysql_data"}],
    }
    monkeypatch.setattr(status, "podman_json", lambda *args: [container])
    [seen] = status.inspect("container", ["database"])
    assert "hunter2" not in json.dumps(seen)
    assert seen["Config"]["Env"][1] == "MYSQL_ROOT_PASSWORD=********"
    assert seen["Config"]["CreateCommand"][3] == "MYSQL_ROOT_PASSWORD=********"
    assert seen["Mounts"] == container["Mounts"]
