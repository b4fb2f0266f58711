"""The trainer's view of the class: students by exercises, one cell each (passed/total), and what changed
between two rounds of `labctl watch` and who has not moved for a while. Pure: no Ansible, no terminal, no
clock (the time of a round is given).

A cell comes from one machine's part of one exercise's verify (labctl.core.results.Machine). A student is an
inventory host, named by its `lab_student` variable, falling back to the host name.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from labctl.core import results
from labctl.core.i18n import N_, _, pgettext
from labctl.core.results import Check

COURSE = "6 - Building and Running Multi-Container Applications (Pods)"  # the course's own heading

# The state of a cell, in the order of the legend. Stable keys (JSON, CSS classes); words through gettext.
DONE, PARTIAL, NONE, NOT_ENFORCED, UNREACHABLE, NOT_READY, UNKNOWN = (
    "done",
    "partial",
    "none",
    "not-enforced",
    "unreachable",
    "not-ready",
    "unknown",
)
STATES = (DONE, PARTIAL, NONE, NOT_ENFORCED, UNREACHABLE, NOT_READY, UNKNOWN)
STATE_WORDS = {
    DONE: N_("every check passed"),
    PARTIAL: N_("some checks passed"),
    NONE: N_("no check passed yet"),
    NOT_ENFORCED: N_("nothing failed, but not everything can be enforced on this machine"),
    UNREACHABLE: N_("machine not reachable"),
    NOT_READY: N_("machine not ready"),
    UNKNOWN: N_("not graded"),
}
BETTER, WORSE, CHANGED = "better", "worse", "changed"  # how a cell moved since the last round
GRADED = ("PASS", "FAIL", "SKIP", "NOT_ENFORCED")  # what a cell counts (INFO and WARN are no checks)


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str  # the course's own heading of the exercise, in the language shown


@dataclass(frozen=True)
class Student:
    host: str
    name: str  # lab_student, else the host name


@dataclass(frozen=True)
class Cell:
    """One student's state in one exercise."""

    state: str
    passed: int = 0
    total: int = 0
    failing: tuple[Check, ...] = ()  # FAIL, and SKIP whose precondition failed: with their hints
    reason: str = ""  # why a machine has no grade (unreachable, not ready, the run failed)
    statuses: tuple[tuple[str, str], ...] = ()  # (check id, status): what "moved" compares
    checks: tuple[Check, ...] = ()  # every check of the machine in the exercise (the CSV's rows)

    @property
    def label(self) -> str:
        """What the cell shows: passed/total, or a word when there is no grade."""
        if self.state in (UNREACHABLE, NOT_READY):  # checks of a machine that dropped off are no grade
            return _("offline") if self.state == UNREACHABLE else _("not ready")
        if self.state == UNKNOWN and not self.total:
            return "?"
        return f"{self.passed}/{self.total}"


@dataclass
class ClassView:
    """Every student by every exercise, graded at one time, in one language."""

    exercises: list[Exercise]
    students: list[Student]
    cells: dict[tuple[str, str], Cell]  # (host, exercise id) -> cell
    graded_at: datetime.datetime
    course: str = COURSE
    lang: str = "en"

    def cell(self, host: str, exercise: str) -> Cell:
        return self.cells.get((host, exercise), Cell(UNKNOWN))

    def done(self, host: str) -> bool:
        """Every exercise of the view passed (or passed as far as this machine can enforce)."""
        return all(self.cell(host, e.id).state in (DONE, NOT_ENFORCED) for e in self.exercises)


def exercise_title(scenario_id: str, course_ref: str) -> str:
    """The course's heading of an exercise in the language shown ("Übung 2: Creating a Multi-Container Pod…")."""
    return pgettext("exercise", course_ref) or course_ref or scenario_id


def cell_of(machine: results.Machine) -> Cell:
    """A machine's part of one exercise's verify, as a cell."""
    graded = [c for c in machine.checks if c.status in GRADED and not (c.status == "SKIP" and c.excused)]
    passed = sum(c.status == "PASS" for c in graded)
    failing = tuple(c for c in graded if c.failing)
    statuses = tuple(sorted((c.id or c.name, c.status) for c in machine.checks))
    common = {
        "passed": passed,
        "total": len(graded),
        "failing": failing,
        "statuses": statuses,
        "checks": tuple(machine.checks),
    }
    if machine.result == results.UNREACHABLE:
        return Cell(UNREACHABLE, reason=machine.reason, **common)
    if machine.result == results.NOT_READY:
        return Cell(NOT_READY, reason=machine.reason, **common)
    if not graded:
        return Cell(UNKNOWN, reason=machine.reason, **common)
    if failing or machine.result == results.FAILED:
        return Cell(PARTIAL if passed else NONE, reason="" if failing else machine.reason, **common)
    if machine.result == results.NOT_ENFORCED:
        return Cell(NOT_ENFORCED, **common)
    return Cell(DONE, **common)


def build(
    exercises: Sequence[Exercise],
    graded: Iterable[tuple[str, list[results.Machine]]],
    *,
    students: dict[str, str] | None = None,
    graded_at: datetime.datetime,
    lang: str = "en",
    not_graded: dict[str, str] | None = None,
    hosts: Iterable[str] = (),
) -> ClassView:
    """The class from each exercise's machines (exercise id, machines); `students` names hosts (lab_student);
    `not_graded` gives, per exercise whose run failed as a whole, why (its cells are UNKNOWN with that reason);
    `hosts` are students known already (watch: a round where a run failed as a whole still shows them)."""
    names = students or {}
    order: dict[str, None] = dict.fromkeys(hosts)
    cells: dict[tuple[str, str], Cell] = {}
    for exercise, machines in graded:
        for m in machines:
            order.setdefault(m.host)
            cells[(m.host, exercise)] = cell_of(m)
    for exercise, why in (not_graded or {}).items():
        for host in order:
            cells.setdefault((host, exercise), Cell(UNKNOWN, reason=why))
    people = [Student(host, names.get(host) or host) for host in order]
    return ClassView(list(exercises), people, cells, graded_at, lang=lang)


# --- watch: what changed since the last round, and who has not moved --------------------------------------


def movement(before: Cell | None, after: Cell) -> str | None:
    """How a cell moved between two rounds: better, worse, changed (say, now unreachable), or None."""
    if before is None:
        return None
    if before.passed != after.passed and before.total == after.total and after.total:
        return BETTER if after.passed > before.passed else WORSE
    if (before.state, before.statuses) != (after.state, after.statuses):
        return CHANGED
    return None


@dataclass
class Round:
    """What one round of watch adds to its view: moved cells, and the students stuck (host -> seconds still)."""

    moved: dict[tuple[str, str], str] = field(default_factory=dict)
    stuck: dict[str, float] = field(default_factory=dict)
    number: int = 1


@dataclass
class Tracker:
    """Rounds of watch, remembered: the last view, each cell's last grade, and since when each student's checks
    have not changed.

    A cell moves against its last grade (a round where the machine could not be reached, or the run failed,
    is no news of the student's work: a fix made meanwhile shows as better when it is graded again); a cell
    whose machine went off or came back is marked changed. A student "moves" when any of their checks'
    statuses changes. A student who has finished every exercise of the view is never stuck."""

    stuck_after: float  # seconds without a move
    last: ClassView | None = None
    graded: dict[tuple[str, str], Cell] = field(default_factory=dict)  # (host, exercise) -> its last grade
    since: dict[str, float] = field(default_factory=dict)  # host -> time of its last move (or first sight)
    rounds: int = 0

    def hosts(self) -> list[str]:
        """The students seen so far, in order."""
        return [s.host for s in self.last.students] if self.last else []

    def round(self, view: ClassView, now: float) -> Round:
        self.rounds += 1
        result = Round(number=self.rounds)
        for student in view.students:
            host = student.host
            moved = host not in self.since
            for exercise in view.exercises:
                key = (host, exercise.id)
                cell = view.cell(host, exercise.id)
                before = self.last.cells.get(key) if self.last else None
                how = None
                if cell.state not in (UNREACHABLE, NOT_READY, UNKNOWN):
                    known = self.graded.get(key)
                    how = movement(known, cell)
                    moved = moved or (known is not None and known.statuses != cell.statuses)
                    self.graded[key] = cell
                if how is None and before is not None and before.state != cell.state:
                    how = CHANGED  # went off, came back, or its run failed
                if how and self.last is not None:
                    result.moved[key] = how
            if moved:
                self.since[host] = now
            still = now - self.since[host]
            if still >= self.stuck_after and not view.done(host):
                result.stuck[host] = still
        self.last = view
        return result
