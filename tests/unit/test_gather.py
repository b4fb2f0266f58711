"""Gathering a lab's state (module_utils/gather.py, podman.py) with a fake Podman, a fake web and a
clock that only moves when something waits: what is called, what is not, and how long it polls."""

import json

import pytest

from tests.unit.labctl_lab import Clock, gather, podman

RUNNING = {"State": {"Running": True, "Status": "running"}}


class FakePodman:
    """Answers inspect from a dict of objects by kind and name, as Podman 4.3.1 does (a missing name:
    exit 125, the others still printed); anything else from a table of answers, in turn."""

    def __init__(self, objects=None, answers=None):
        self.objects = objects or {}
        self.answers = {tuple(k): list(v) for k, v in (answers or {}).items()}
        self.calls = []

    def __call__(self, argv):
        self.calls.append(argv)
        if argv[2:4] == ["inspect", "--format"]:
            kind, names = argv[1], argv[5:]
            found = [self.objects[kind][n] for n in names if n in self.objects.get(kind, {})]
            missing = [n for n in names if n not in self.objects.get(kind, {})]
            if kind == "pod" and len(found) == 1 and not missing:
                return 0, json.dumps(found[0]), ""  # 4.3.1: one pod is one object
            return (125 if missing else 0), json.dumps(found), "".join(f"Error: no such {kind} {n}\n" for n in missing)
        queue = self.answers.get(tuple(argv[1:]))
        assert queue, f"unexpected call {argv}"
        return queue.pop(0) if len(queue) > 1 else queue[0]


def named(kind, name, **more):
    key = "name" if kind == "network" else "Name"
    return {key: name, **more}


def test_inspect_maps_each_name_and_a_missing_one_to_none():
    fake = FakePodman({"container": {"web": named("container", "web"), "db": named("container", "db")}})
    found = podman.inspect(fake, "container", ["web", "gone", "db"])
    assert found == {"web": {"Name": "web"}, "gone": None, "db": {"Name": "db"}}
    assert fake.calls[0] == ["podman", "container", "inspect", "--format", "json", "web", "gone", "db"]


def test_a_pod_inspected_alone_is_one_object_in_4_3_1():
    fake = FakePodman({"pod": {"p": named("pod", "p", State="Running")}})
    assert podman.inspect(fake, "pod", ["p"]) == {"p": {"Name": "p", "State": "Running"}}


def test_networks_are_named_in_lower_case():
    fake = FakePodman({"network": {"my-web-net": named("network", "my-web-net")}})
    assert podman.inspect(fake, "network", ["my-web-net"])["my-web-net"] == {"name": "my-web-net"}


def test_an_image_is_found_by_the_tag_asked_for():
    image = {"Id": "abc", "RepoTags": ["localhost/my-text-api:latest"]}
    fake = FakePodman({"image": {"localhost/my-text-api:latest": image}})
    assert podman.inspect(fake, "image", ["localhost/my-text-api:latest"])["localhost/my-text-api:latest"] == image


def test_published_ports_as_podman_ps_shows_them():
    pod = {
        "InfraConfig": {
            "PortBindings": {"5000/tcp": [{"HostIp": "", "HostPort": "8080"}], "53/udp": [{"HostPort": "5353"}]}
        }
    }
    assert [podman.port_text(p) for p in podman.published_ports(pod)] == ["5353->53/udp", "8080->5000/tcp"]
    assert podman.published_ports({"InfraConfig": {"PortBindings": None}}) == []


def lab(clock, fake, spec, pages=None):
    pages = list(pages or [])

    def http_get(url, timeout):
        return pages.pop(0) if len(pages) > 1 else pages[0]

    return gather.gather(fake, spec, http_get=http_get, clock=clock, sleep=clock.sleep)


def test_a_command_in_a_container_is_polled_until_it_succeeds_within_its_deadline():
    fake = FakePodman(
        {"container": {"client": named("container", "client", **RUNNING)}},
        {("exec", "client", "wget", "x"): [(1, "", "refused"), (1, "", "refused"), (0, "Welcome", "")]},
    )
    clock = Clock()
    spec = {
        "resources": {"containers": ["client"]},
        "exec": {"page": {"container": "client", "argv": ["wget", "x"], "until": "rc0", "deadline": 3}},
    }
    state = lab(clock, fake, spec)
    assert state["exec"]["page"] == {"ran": True, "rc": 0, "stdout": "Welcome", "stderr": "", "attempts": 3}
    assert clock.slept == [1, 1], "polled every second, no fixed sleep"


def test_a_poll_gives_up_at_its_deadline():
    fake = FakePodman(
        {"container": {"client": named("container", "client", **RUNNING)}},
        {("exec", "client", "false"): [(1, "", "no")]},
    )
    clock = Clock()
    spec = {"exec": {"p": {"container": "client", "argv": ["false"], "until": "rc0", "deadline": 3}}}
    state = lab(clock, fake, spec)
    assert state["exec"]["p"]["rc"] == 1 and state["exec"]["p"]["attempts"] == 4 and clock.now == 3


def test_no_command_runs_in_a_container_that_does_not_run():
    fake = FakePodman(
        {"container": {"client": named("container", "client", State={"Running": False, "Status": "exited"})}}
    )
    spec = {"resources": {"containers": ["client"]}, "exec": {"page": {"container": "client", "argv": ["wget", "x"]}}}
    state = lab(Clock(), fake, spec)
    assert state["exec"]["page"] == {"ran": False, "why": "not_running", "names": ["client"]}
    assert not [c for c in fake.calls if c[1] == "exec"]
    assert state["running"] == []


def test_a_page_is_polled_until_it_changes():
    clock = Clock()
    pages = [(200, "<p>1</p>", ""), (200, "<p>1</p>", ""), (200, "<p>2</p>", "")]
    state = lab(
        clock,
        FakePodman(),
        {"http": {"page": {"url": "http://localhost:8086/", "until": "changed", "deadline": 6}}},
        pages,
    )
    page = state["http"]["page"]
    assert [a["body"] for a in page["answers"]] == ["<p>1</p>", "<p>2</p>"] and page["body"] == "<p>2</p>"
    assert clock.now == 1


def test_a_page_that_never_answers_is_not_polled_for_a_change():
    clock = Clock()
    state = lab(
        clock,
        FakePodman(),
        {"http": {"page": {"url": "u", "until": "changed", "deadline": 6}}},
        [(None, "", "refused")],
    )
    assert state["http"]["page"]["answers"] == [{"status": None, "body": "", "error": "refused"}] and clock.now == 0


def test_two_gets_in_a_row():
    pages = [(200, "Visits: 1", ""), (200, "Visits: 2", "")]
    state = lab(Clock(), FakePodman(), {"http": {"page": {"url": "u", "times": 2}}}, pages)
    assert [a["body"] for a in state["http"]["page"]["answers"]] == ["Visits: 1", "Visits: 2"]


@pytest.mark.parametrize(
    ("pod", "holder", "why"),
    [
        (None, RUNNING, "no_pod"),
        ({"State": "Exited", "Id": "p"}, RUNNING, "pod_down"),
        ({"State": "Running", "Id": "p"}, {**RUNNING, "Pod": "other"}, "not_in_pod"),
    ],
)
def test_a_container_in_a_pod_is_never_started_when_the_pod_is_not_up(pod, holder, why):
    """`podman run --pod` would start a stopped pod: the student's lab would change under verify."""
    objects = {"container": {"holder": named("container", "holder", **holder)}}
    if pod:
        objects["pod"] = {"pid-pod": named("pod", "pid-pod", **pod)}
    fake = FakePodman(objects)
    spec = {
        "resources": {"pods": ["pid-pod"], "containers": ["holder"]},
        "run": {
            "viewer": {
                "name": "v",
                "pod": "pid-pod",
                "image": "alpine",
                "argv": ["ps", "aux"],
                "when_running": ["holder"],
            }
        },
    }
    state = lab(Clock(), fake, spec)
    assert state["run"]["viewer"]["ran"] is False and state["run"]["viewer"]["why"] == why
    assert not [c for c in fake.calls if c[1] in ("run", "rm")]


def test_a_container_in_a_running_pod_is_started_once_and_removed_first():
    objects = {
        "pod": {"pid-pod": named("pod", "pid-pod", State="Running", Id="p")},
        "container": {"holder": named("container", "holder", Pod="p", **RUNNING)},
    }
    argv = ("run", "--rm", "--name", "v", "--pod", "pid-pod", "--label", "a=b", "alpine", "ps", "aux")
    fake = FakePodman(
        objects,
        {("rm", "--force", "--time", "0", "v"): [(1, "", "no such container")], argv: [(0, "1 root /catatonit", "")]},
    )
    spec = {
        "resources": {"pods": ["pid-pod"], "containers": ["holder"]},
        "run": {
            "viewer": {
                "name": "v",
                "pod": "pid-pod",
                "image": "alpine",
                "argv": ["ps", "aux"],
                "labels": {"a": "b"},
                "when_running": ["holder"],
            }
        },
    }
    state = lab(Clock(), fake, spec)
    assert state["run"]["viewer"]["stdout"] == "1 root /catatonit"
    assert [c[1] for c in fake.calls if c[1] in ("run", "rm")] == ["rm", "run"]


@pytest.mark.parametrize("timers", [True, False])
def test_health_is_read_and_run_only_where_no_timer_runs_it(timers):
    api = named("container", "api", **RUNNING, Config={"Healthcheck": {"Test": ["CMD-SHELL", "curl -f x"]}})
    healthy = {**api, "State": {**RUNNING["State"], "Health": {"Status": "healthy"}}}
    fake = FakePodman({"container": {"api": api}}, {("healthcheck", "run", "api"): [(1, "unhealthy", ""), (0, "", "")]})
    spec = {"resources": {"containers": ["api"]}, "health": {"containers": ["api"], "timers": timers, "deadline": 5}}
    fake.objects["container"]["api"] = api
    original = fake.__call__

    def run(argv):  # after a healthcheck run, Podman reports the new health
        if argv[1:3] == ["healthcheck", "run"] or (timers and argv[-1] == "api" and len(fake.calls) > 0):
            fake.objects["container"]["api"] = healthy
        return original(argv)

    clock = Clock()
    state = gather.gather(run, spec, clock=clock, sleep=clock.sleep)
    health = state["health"]["api"]
    assert (
        health["by_timers"] is timers and health["status"] == "healthy" and health["test"] == ["CMD-SHELL", "curl -f x"]
    )
    ran = [c for c in fake.calls if c[1] == "healthcheck"]
    assert len(ran) == (0 if timers else 2)


def test_a_bad_spec_is_the_roles_mistake():
    problems = gather.spec_problems(
        {"http": {"Page": {"url": "u"}, "text": {}}, "exec": {"x": {"container": "c", "argv": ["a"], "until": "soon"}}}
    )
    assert any("name" in p for p in problems) and any("url is missing" in p for p in problems)
    assert any("until must be" in p for p in problems)
