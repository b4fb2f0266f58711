#!/usr/bin/python
"""Wait until part of a lab is ready, polling with a deadline; on a time-out, fail with the log tail."""

DOCUMENTATION = r"""
module: wait_ready
short_description: Wait until a container, a command in it or a URL is ready, else fail with its log tail
description:
  - The one wait of every exercise, instead of a fixed sleep - C(podman run -d) returns before a
    service listens. Polls until one of these holds, or the deadline passes.
  - O(exec) - the command exits 0 in O(container) (and prints O(contains)).
  - O(url) - a GET answers with one of O(status) (and O(contains) in the body, and a non-empty
    O(json_key) in its JSON).
  - O(healthy) - every named container is healthy. With O(run_healthchecks) (no systemd timers run
    Podman's healthchecks here) the module runs C(podman healthcheck run) itself; otherwise it only
    reads the health Podman reports.
  - Otherwise - O(container) runs.
  - On a time-out it fails with one sentence naming what was not ready, why (the last try), and the
    last lines of the container's log. It never changes anything.
options:
  container:
    type: str
    default: ""
    description: The container the command runs in, that must run, and whose log tail a time-out shows.
  exec: {type: list, elements: str, description: The command to run in the container until it exits 0.}
  while_running:
    type: bool
    default: false
    description:
      - With O(exec) - stop asking as soon as Podman refuses the command because O(container) does not
        run (a database that stopped during its first start never answers); the result says C(stopped).
  url: {type: str, description: The URL to GET until it answers.}
  status: {type: list, elements: int, default: [200], description: The HTTP statuses that count as ready.}
  contains: {type: str, default: "", description: Text the command's output or the page must hold.}
  json_key: {type: str, default: "", description: The page is JSON with a non-empty value under this key.}
  healthy: {type: list, elements: str, description: Containers that must all be healthy.}
  run_healthchecks: {type: bool, default: true, description: Run the healthchecks (no systemd timers here).}
  logs_of: {type: str, default: "", description: The container whose log tail a time-out shows, when not O(container).}
  timeout: {type: float, required: true, description: Seconds until the wait gives up.}
  interval: {type: float, default: 0.5, description: Seconds between two tries.}
  what:
    type: raw
    default: ""
    description:
      - What is waited for, for the message (default - the container or the URL).
      - Plain text (data), or a said of C(module_utils/reasons.py) (C(reason), C(values)) that labctl says
        in the language it shows.
  hint:
    type: raw
    default: ""
    description: What to do when it is not ready, said in the message after why; text or a said, as O(what).
author: labctl developers
"""

EXAMPLES = r"""
- name: Wait until the database answers queries
  labctl.lab.wait_ready:
    container: database
    exec: [sh, -c, "mysql -e 'SELECT 1'"]
    timeout: 120
    what: the database container database

- name: Wait until the app answers on the host port
  labctl.lab.wait_ready:
    url: http://localhost:8080/health
    container: webapp
    timeout: 60
"""

RETURN = r"""
ready: {description: Whether it became ready (false only on failure)., returned: always, type: bool}
stopped: {description: The wait ended because the container stopped (O(while_running))., returned: always, type: bool}
tries: {description: How many tries it took., returned: always, type: int}
seconds: {description: How long it waited., returned: always, type: float}
stdout: {description: The command's output (exec)., returned: success with exec, type: str}
status: {description: The HTTP status (url)., returned: with url, type: int}
content: {description: The page (url)., returned: success with url, type: str}
json: {description: The page as JSON (url with json_key)., returned: success with json_key, type: dict}
log_tail: {description: The container's last log lines., returned: failure, type: list}
labctl_said: {description: The failure's sentence as data (C(msg) is it in English)., returned: failure, type: dict}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.urls import open_url
from ansible_collections.labctl.lab.plugins.module_utils import waiting


def http_get(url, timeout):
    """(status, body, error): an HTTP error status is an answer; a refused connection is none."""
    try:
        response = open_url(url, timeout=timeout, validate_certs=False, follow_redirects="safe")
        return response.status, response.read().decode("utf-8", "replace"), ""
    except Exception as exc:
        code = getattr(exc, "code", None)
        if isinstance(code, int):
            body = exc.read().decode("utf-8", "replace") if hasattr(exc, "read") else ""
            return code, body, ""
        return None, "", str(getattr(exc, "reason", "") or exc)


def main():
    module = AnsibleModule(
        argument_spec={
            "container": {"type": "str", "default": ""},
            "exec": {"type": "list", "elements": "str"},
            "while_running": {"type": "bool", "default": False},
            "url": {"type": "str"},
            "status": {"type": "list", "elements": "int", "default": [200]},
            "contains": {"type": "str", "default": ""},
            "json_key": {"type": "str", "default": "", "no_log": False},
            "healthy": {"type": "list", "elements": "str"},
            "run_healthchecks": {"type": "bool", "default": True},
            "logs_of": {"type": "str", "default": ""},
            "timeout": {"type": "float", "required": True},
            "interval": {"type": "float", "default": 0.5},
            # Plain text (data), or a said of module_utils.reasons (said in the language labctl shows).
            "what": {"type": "raw", "default": ""},
            "hint": {"type": "raw", "default": ""},
        },
        mutually_exclusive=[("exec", "url", "healthy")],
        required_one_of=[("container", "url", "healthy")],
        supports_check_mode=True,
    )
    if module.params["exec"] and not module.params["container"]:
        module.fail_json(msg="exec needs the container to run the command in")
    podman = module.get_bin_path("podman", required=True)

    def run(argv):
        return module.run_command([podman, *argv[1:]])

    ok, result = waiting.wait(module.params, run, http_get=http_get)
    if ok:
        module.exit_json(changed=False, **result)
    module.fail_json(changed=False, **result)


if __name__ == "__main__":
    main()
