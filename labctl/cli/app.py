"""The labctl command and its error boundary."""

import sys

import typer

from labctl import __version__
from labctl.cli import clean, host, images, options, prepare, reset, status, up, verify, watch
from labctl.cli import list as list_cmd
from labctl.core import report
from labctl.core.errors import ExitCode, LabctlError, Outcome
from labctl.core.i18n import _

app = typer.Typer(
    name="labctl",
    help="Set up, verify, reset and clean the Podman course's lab exercises.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)
app.command("list")(list_cmd.list_scenarios)
app.command()(up.up)
app.command()(verify.verify)
app.command()(reset.reset)
app.command()(clean.clean)
app.command()(prepare.prepare)
app.command()(status.status)
app.command()(watch.watch)
app.add_typer(host.app, name="host")
app.add_typer(images.app, name="images")


def _version(value: bool) -> None:
    if value:
        report.out.print(f"labctl {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print labctl's version."),
) -> None:
    """Set up, verify, reset and clean the Podman course's lab exercises."""
    options.use_language(strict=False)  # the locale and the config files; a verb's --lang comes on top


def main() -> None:
    """Entry point: every error ends here as one sentence and an exit code."""
    debug = "--debug" in sys.argv
    try:
        app()  # standalone: usage errors print as Typer formats them, with exit code 2
    except Outcome as done:  # a run's results are shown: its exit code is what is left
        sys.exit(done.exit_code)
    except LabctlError as exc:
        interrupted = exc.exit_code in (ExitCode.INTERRUPTED, ExitCode.TERMINATED)
        prefix = "" if interrupted else f"[bold red]{_('error:')}[/] "
        report.err.print(f"{prefix}{report.escape(exc.message)}")
        if debug and exc.detail:
            report.err.print(report.escape(exc.detail))
        sys.exit(int(exc.exit_code))
    except KeyboardInterrupt:
        report.err.print(_("interrupted"))
        sys.exit(130)
    except Exception as exc:  # the boundary: no traceback unless asked for
        if debug:
            raise
        message = _("labctl hit an unexpected problem ({kind}: {problem}); run again with --debug for details.")
        report.err.print(
            f"[bold red]{_('error:')}[/] {report.escape(message.format(kind=type(exc).__name__, problem=exc))}"
        )
        sys.exit(ExitCode.FAILED)


if __name__ == "__main__":
    main()
