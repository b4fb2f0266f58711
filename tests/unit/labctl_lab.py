"""The labctl.lab collection's Python as ordinary modules (collections/ on sys.path), and a replay
of Podman answers recorded on real labs (tests/fixtures/podman/capture.py)."""

import json

from ansible_collections.labctl.lab.plugins.action.scenario import role_vars
from ansible_collections.labctl.lab.plugins.module_utils import (
    assertions,
    cgroups,
    gather,
    judge,
    podman,
    texts,
)

import tests.unit.collection  # noqa: F401 - collections/ on sys.path
from tests.conftest import ROOT

__all__ = ["assertions", "cgroups", "gather", "judge", "podman", "recorded", "role_vars", "texts"]

FIXTURES = ROOT / "tests" / "fixtures" / "podman"


class Clock:
    """A clock that only moves when something sleeps: polls run instantly and their waits add up."""

    def __init__(self):
        self.now = 0.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


class Replay:
    """run() and http_get() answering what real Podman and the lab answered to the same calls, in order."""

    def __init__(self, case):
        self.case = case
        self.calls = [{**c, "used": False} for c in case["calls"]]
        self.http = list(case["http"])
        self.asked = []

    def run(self, argv):
        self.asked.append(list(argv))
        matching = [c for c in self.calls if c["argv"][1:] == list(argv)[1:]]
        assert matching, f"no recorded answer to {argv}"
        call = next((c for c in matching if not c["used"]), matching[-1])
        call["used"] = True
        return call["rc"], call["out"], call["err"]

    def http_get(self, url, timeout):
        matching = [h for h in self.http if h["url"] == url]
        assert matching, f"no recorded answer from {url}"
        answer = matching[0]
        if len(matching) > 1:
            self.http.remove(answer)
        return answer["status"], answer["body"], answer["error"]


def recorded(exercise, case):
    """The state lab_state gathered on a real lab (exercise ex1..ex5, case up, absent, or a break), replayed."""
    data = json.loads((FIXTURES / f"{exercise}.json").read_text())["cases"][case]
    replay, clock = Replay(data), Clock()
    return gather.gather(
        replay.run,
        data["spec"],
        http_get=replay.http_get,
        clock=clock,
        sleep=clock.sleep,
        limits_of=lambda path: data["limits"][path],
        timers=lambda: data["timers"],
    )
