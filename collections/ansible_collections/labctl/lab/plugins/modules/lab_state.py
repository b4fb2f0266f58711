#!/usr/bin/python
"""Gather the state of an exercise's lab in one call, for labctl.lab.checks to judge."""

DOCUMENTATION = r"""
module: lab_state
short_description: Everything an exercise's looking checks judge, gathered in one call
description:
  - Runs on the lab machine, as whoever runs the exercise. Returns Podman's inspect output of the
    scenario's pods, containers, volumes, networks and images (a name that does not exist maps to
    null), and the results of the read-only probes the exercise declares, each as data.
  - Changes nothing of the student's lab. Probes that need something (a running container, a
    running pod) do not run without it and say why (C(ran=false), C(why), C(names)); the checks
    decide what that means.
  - Waits poll until a deadline; none sleeps a fixed time.
options:
  resources:
    description: The scenario's resources by kind (C(lab_resources)), C(pods), C(containers), C(volumes), C(networks).
    type: dict
    default: {}
  images: {description: Image references to inspect., type: list, elements: str, default: []}
  http:
    description:
      - Named HTTP GETs on the lab machine, never through a proxy. Each C(url); C(times) (GETs in a row);
        C(until) C(ok) (poll until status 200) or C(changed) (poll until the page differs from the first
        answer); C(deadline) and C(interval) in seconds; C(timeout); C(when_running) (containers that
        must run, else the GET is not made).
    type: dict
    default: {}
  exec:
    description:
      - Named commands in a running container (C(podman exec)). Each C(container), C(argv); C(until)
        C(rc0) with C(deadline) polls until the command succeeds; C(when_running).
    type: dict
    default: {}
  podman:
    description:
      - Named read-only Podman commands on the host. Each C(argv) (after C(podman)); C(until_contains)
        with C(deadline); C(when_exists), C(when_running) (containers), C(when_pod) (a pod that must be Running).
    type: dict
    default: {}
  run:
    description:
      - Named short-lived containers in a pod (C(podman run --rm --pod)), as the course's viewers are.
        Each C(name), C(pod), C(image), C(argv), C(labels); C(when_running) (containers that must run
        in that pod). Never run when the pod is not up, which C(podman run --pod) would start.
    type: dict
    default: {}
  health:
    description:
      - C(containers) whose health to read; where systemd does not run Podman's healthcheck timers
        (or C(timers=false)), their healthchecks are run first (C(podman healthcheck run)), polled for
        C(deadline) seconds until one succeeds.
    type: dict
    default: {}
  pod_limits: {description: Pods whose cgroup limits to read., type: list, elements: str, default: []}
author: labctl developers
"""

EXAMPLES = r"""
- name: Look at the lab of exercise 1, and fetch webserver's page from inside client
  labctl.lab.lab_state:
    resources: "{{ lab_resources }}"
    exec:
      page: {container: client, argv: [wget, -q, -O, -, "http://webserver"], until: rc0, deadline: 3}
  register: __ex1_network_dns_state
"""

RETURN = r"""
pods: {description: Pod name to inspect object or null., returned: always, type: dict}
containers: {description: Container name to inspect object or null., returned: always, type: dict}
volumes: {description: Volume name to inspect object or null., returned: always, type: dict}
networks: {description: Network name to inspect object or null., returned: always, type: dict}
images: {description: Image reference to inspect object or null., returned: always, type: dict}
running: {description: The names of the containers that run., returned: always, type: list}
pod_state:
  description: Pod name to its state (C(Running), C(Degraded), ...; empty when there is none).
  returned: always
  type: dict
http:
  description: Each GET's C(status), C(body), C(error) and all C(answers); or C(ran=false).
  returned: always
  type: dict
exec: {description: Each command's C(rc), C(stdout), C(stderr); or C(ran=false)., returned: always, type: dict}
podman: {description: As exec., returned: always, type: dict}
run: {description: As exec., returned: always, type: dict}
health:
  description: Per container C(by_timers), C(rc)/C(stdout)/C(stderr) of the run, C(status), C(test).
  returned: always
  type: dict
limits:
  description: Per pod the cgroup limits report (module_utils.cgroups.pod_limits_report) or null.
  returned: always
  type: dict
"""

import os
import pwd
import urllib.error
import urllib.request

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labctl.lab.plugins.module_utils import cgroups, gather

# The lab is on this machine: its pages are fetched directly, never through a proxy of the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_get(url, timeout):
    """(status, body, error): status None when nothing answered."""
    try:
        with _OPENER.open(url, timeout=timeout) as response:
            return response.status, response.read(gather.MAX_BODY).decode("utf-8", "replace"), ""
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(gather.MAX_BODY).decode("utf-8", "replace"), str(exc.reason)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, "", str(reason)


def healthcheck_timers():
    """Does systemd run Podman's healthcheck timers for this user? (PID 1 is systemd, and a user has
    a session bus for their manager.) Without them Podman never runs a healthcheck by itself."""
    if not os.path.isdir("/run/systemd/system"):
        return False
    if os.geteuid() == 0:
        return True
    runtime = os.environ.get("XDG_RUNTIME_DIR") or f"/run/user/{os.geteuid()}"
    return os.path.exists(os.path.join(runtime, "bus"))


def main():
    module = AnsibleModule(
        argument_spec={
            "resources": {"type": "dict", "default": {}},
            "images": {"type": "list", "elements": "str", "default": []},
            "http": {"type": "dict", "default": {}},
            "exec": {"type": "dict", "default": {}},
            "podman": {"type": "dict", "default": {}},
            "run": {"type": "dict", "default": {}},
            "health": {"type": "dict", "default": {}},
            "pod_limits": {"type": "list", "elements": "str", "default": []},
        },
        supports_check_mode=True,
    )
    problems = gather.spec_problems(module.params)
    if problems:
        module.fail_json(msg="; ".join(problems))
    podman_bin = module.get_bin_path("podman", required=True)

    def run(argv):
        return module.run_command([podman_bin, *argv[1:]] if argv[0] == "podman" else argv)

    euid = os.geteuid()
    user = pwd.getpwuid(euid).pw_name
    state = gather.gather(
        run,
        module.params,
        http_get=http_get,
        limits_of=lambda path: cgroups.pod_limits_report(path, euid, user),
        timers=healthcheck_timers,
    )
    module.exit_json(changed=False, **state)


if __name__ == "__main__":
    main()
