"""What a person running a room sees while it runs: a spinner for one machine, a line per machine for several."""

from rich.console import Console

from labctl.core import report


def render(progress, width=120) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(progress)
    return console.export_text()


def test_one_machine_is_the_spinner_with_the_current_task():
    shown = report._Progress("Setting up ex1")
    shown("", "Pull the images")
    shown.host("localhost", "task", "Pull the images")
    assert "Setting up ex1: Pull the images" in render(shown)


def test_several_machines_get_a_line_each_with_their_task_or_end_and_seconds():
    shown = report._Progress("Setting up ex2")
    shown.host("pc1", "task", "Pull the images")
    shown.host("pc2", "task", "Pull the images")
    shown.host("pc3", "task", "Pull the images")
    shown.host("pc2", "unreachable", "Failed to connect to the host via ssh")
    shown.host("pc3", "failed", "Port 8080 is in use by nginx")
    shown.host("pc1", "done", "")
    shown.host("pc2", "done", "")  # the run's end does not turn a machine that dropped off into done
    lines = render(shown).splitlines()
    assert lines[0] == "Setting up ex2"
    assert "pc1" in lines[1] and "done" in lines[1] and " s " in lines[1]
    assert "pc2" in lines[2] and "unreachable" in lines[2] and "ssh" in lines[2]
    assert "pc3" in lines[3] and "failed" in lines[3] and "8080" in lines[3]


def test_a_long_task_name_ends_in_an_ellipsis_and_the_machine_stays_readable():
    shown = report._Progress("Checking the host")
    shown.host("training-pc-01", "task", "Look at this host's Podman prerequisites " * 4)
    shown.host("training-pc-02", "unreachable", "Failed to connect to the host via ssh: " * 4)
    lines = render(shown, width=60).splitlines()
    assert len(lines) == 3
    assert "training-pc-01" in lines[1] and lines[1].rstrip().endswith("…")
    assert "training-pc-02" in lines[2] and "unreachable" in lines[2]
