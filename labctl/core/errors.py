"""The one error type labctl raises, and the exit codes it maps to."""

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes, documented in README.md."""

    OK = 0
    FAILED = 1  # a check or a task failed
    USAGE = 2  # bad command line or bad input file
    HOST_NOT_READY = 3  # a prerequisite is missing on the host, or another labctl run holds it
    UNREACHABLE = 4  # a host could not be reached
    NOT_ENFORCED = 5  # no check failed, but something cannot be enforced on this host (e.g. pod limits)
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT): the run was stopped, Ansible with it
    TERMINATED = 143  # SIGTERM (128 + SIGTERM): the same


class LabctlError(Exception):
    """A problem the user can act on: one sentence saying what is wrong and what to do."""

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.FAILED, detail: str | None = None):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.detail = detail  # shown only with --debug


class Outcome(Exception):
    """A run is over and its results are printed: only its exit code is left to give (0, 1, 3, 4, 5)."""

    def __init__(self, exit_code: int):
        super().__init__(int(exit_code))
        self.exit_code = int(exit_code)
