"""labctl images: the course's images — list, pull, save, load, push, and look-alikes when no registry answers."""

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.live import Live
from rich.table import Table

from labctl.cli.options import CaCert, Options, ca_option, shared
from labctl.core import images as course_images
from labctl.core import lock, lookalikes, pipeline, report, scenarios, survey
from labctl.core.actions import controller_images, run_images_action
from labctl.core.errors import ExitCode, LabctlError
from labctl.core.i18n import N_, _, ngettext
from labctl.core.podman import Podman, normalise
from labctl.core.results import raise_for_failures

app = typer.Typer(
    help="The course's images: list, pull, save, load, push; look-alikes for machines with no registry.",
    no_args_is_help=True,
)

Scenarios = Annotated[
    list[str] | None,
    typer.Argument(metavar="[SCENARIO]...", help="Scenario ids (default: every scenario).", show_default=False),
]
All = Annotated[bool, typer.Option("--all", help="Every scenario (the default when none is named).")]
User = Annotated[
    str | None,
    typer.Option(
        "--lab-user",
        metavar="NAME",
        help="Work on this user's rootless image store (as root), e.g. a student's.",
    ),
]
Pull = Annotated[
    str,
    typer.Option("--pull", help="missing: pull what is not here; always: pull again (look-alikes are always retried)."),
]


def _chosen(ids: list[str] | None, all_: bool) -> list[course_images.CourseImage]:
    if ids and all_:
        raise LabctlError(_("Name scenarios or give --all, not both."), ExitCode.USAGE)
    found = [scenarios.load(i) for i in ids] if ids else scenarios.load_all(report.warn_all())
    return course_images.catalog(found)


def _size(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


@contextlib.contextmanager
def _live(title: str, names: list[str], json_out: bool) -> Iterator[course_images.Step]:
    """One live line per image (or step) on stderr while slow work runs; plain lines when not a terminal."""
    state = dict.fromkeys(names, _("waiting"))
    started = time.monotonic()

    def render() -> Table:
        table = Table(
            box=None,
            show_header=False,
            pad_edge=False,
            title=f"{title} ({time.monotonic() - started:.0f} s)",
            title_justify="left",
            title_style="bold",
        )
        for name, what in state.items():
            table.add_row(report.escape(name), f"[dim]{report.escape(what)}[/]")
        return table

    if not report.err.is_terminal:

        def plain(name: str, what: str) -> None:
            if not json_out:
                report.err.print(f"{report.escape(name)}: {report.escape(what)}")

        yield plain
        return
    with Live(render(), console=report.err, refresh_per_second=4, transient=True) as live:

        def step(name: str, what: str) -> None:
            state[name] = what
            live.update(render())

        yield step


@app.command("list")
@shared("json", "connect")
def list_images(
    ids: Scenarios = None,
    all_: All = False,
    *,
    opts: Options,
) -> None:
    """Every image the scenarios use: reference, present here?, ID, size, where it came from; with -i per machine.
    --lab-user NAME: that user's store (here as root; on the machines of -i as that user)."""
    json_out = opts.json
    if opts.connection.remote:
        _list_room(_chosen(ids, all_), opts)
        return
    rows = course_images.rows(_chosen(ids, all_), Podman(opts.connection.lab_user))
    if json_out:
        report.print_json(rows)
        return
    table = Table(box=None, pad_edge=False, header_style="dim")
    for column in (N_("image"), N_("used by"), N_("here"), N_("id"), N_("size"), N_("source")):
        table.add_column(_(column), no_wrap=column in ("image", "id"))
    for r in rows:
        here = f"[green]{_('yes')}[/]" if r["present"] else f"[yellow]{_('no')}[/]"
        text = report.escape(r["source_text"])
        source = f"[magenta]{text}[/]" if r["lookalike"] else text
        size = _size(r["size"]) if r["present"] else "-"
        table.add_row(report.escape(r["reference"]), ", ".join(r["scenarios"]), here, r["id"] or "-", size, source)
    report.out.print(table)
    missing = [r for r in rows if not r["present"]]
    if missing:
        line = ngettext(
            "{n} image(s) missing: `labctl images pull` gets them.",
            "{n} image(s) missing: `labctl images pull` gets them.",
            len(missing),
        )
        report.note(report.escape(line.format(n=len(missing))))


def _list_room(chosen: list[course_images.CourseImage], opts: Options) -> None:
    """Which machine has which image: a row per image, a column per machine."""
    with report.progress(_("Reading the machines' images"), opts.debug) as on_progress:
        result, found = survey.take(opts.connection, on_progress)
    machines = sorted(found)
    if opts.json:
        report.print_json(
            {
                "machines": {h: {i.ref: i.ref in found[h][1] for i in chosen} for h in machines},
                "unreachable": [u.host for u in result.unreachable],
            }
        )
    else:
        table = Table(box=None, pad_edge=False, header_style="dim")
        table.add_column(_("image"), no_wrap=True)
        for host in machines:
            table.add_column(host, justify="center")
        for image in chosen:
            marks = ["[green]✓[/]" if image.ref in found[h][1] else "[yellow]-[/]" for h in machines]
            table.add_row(report.escape(image.ref), *marks)
        report.out.print(table)
    raise_for_failures(result, "images list")


@app.command()
@shared("json", "wait", "connect")
def pull(
    ids: Scenarios = None,
    all_: All = False,
    pull: Pull = "missing",
    ca_cert: CaCert = None,
    *,
    opts: Options,
) -> None:
    """Pull the images the scenarios use (look-alikes are replaced when the registry answers), then build theirs.

    With -i: every machine gets them — through its mirror if the inventory names one, else copied from
    here (pulled and built here once; only what a machine lacks by image ID)."""
    if pull not in ("missing", "always"):
        raise LabctlError(_("--pull takes missing or always."), ExitCode.USAGE)
    json_out, no_wait = opts.json, opts.no_wait
    if opts.connection.remote:
        _pull_room(ids, all_, pull, ca_cert, opts)
        return
    chosen = _chosen(ids, all_)
    pulled = [i.ref for i in chosen if i.kind == "pulled"]
    with lock.hold(wait=not no_wait), _live(_("Pulling the course's images"), pulled, json_out) as step:
        results = course_images.pull(chosen, Podman(), pull, step)
    built = [i for i in chosen if i.kind == "built"]
    if built:
        ids_built = sorted({s for i in built for s in i.scenarios})
        with report.progress(_("Building the exercises' images"), opts.debug) as on_progress:
            run = run_images_action(
                [scenarios.load(i) for i in ids_built],
                on_progress=on_progress,
                wait=not no_wait,
                settings=ca_option(ca_cert),
            )
        raise_for_failures(run, "images pull")
        results += [{"reference": i.ref, "result": "built or up to date"} for i in built]
    if json_out:
        report.print_json(results)
        return
    for r in results:
        extra = f" ({r['reason']})" if r.get("reason") else ""
        word = _(course_images.PULL_WORDS.get(r["result"], r["result"]))
        report.out.print(f"{report.escape(r['reference'])}: {report.escape(word + extra)}")


def _pull_room(ids, all_, pull, ca_cert, opts: Options) -> None:
    if ids and all_:
        raise LabctlError(_("Name scenarios or give --all, not both."), ExitCode.USAGE)
    found = [scenarios.load(i) for i in ids] if ids else scenarios.load_all(report.warn_all())
    options = {"lab_pull": pull, **ca_option(ca_cert)}
    with report.progress(_("Getting the images here first"), opts.debug) as on_progress:
        copies = controller_images(found, "up", options, on_progress, opts.wait)

    def go(conn, on_progress):
        settings = {**copies, **options}
        return run_images_action(
            found, pull=pull, on_progress=on_progress, wait=opts.wait, connection=conn, settings=settings
        )

    result = pipeline.run(pipeline.Request("images", "", _("Getting the images onto the machines"), go), opts)
    report.room_view("images pull", "images", result, json_out=opts.json, action="images pull")


@app.command()
@shared("json")
def save(
    output: Annotated[Path, typer.Option("--output", "-o", help="The bundle to write, e.g. course.tar.")],
    ids: Scenarios = None,
    all_: All = False,
    *,
    opts: Options,
) -> None:
    """Write one bundle (a tar with a manifest) holding every image the scenarios use, for a USB stick or a share."""
    json_out = opts.json
    chosen = _chosen(ids, all_)
    with _live(_("Saving the course's images"), ["bundle"], json_out) as step:
        manifest = course_images.save(chosen, Podman(), output, step)
    if json_out:
        report.print_json(manifest)
        return
    saved = ngettext(
        "saved {n} image to {path} ({size}, {seconds:.1f} s)",
        "saved {n} images to {path} ({size}, {seconds:.1f} s)",
        len(manifest["images"]),
    ).format(
        n=len(manifest["images"]),
        path=manifest["path"],
        size=_size(manifest["bundle_size"]),
        seconds=manifest["seconds"],
    )
    report.out.print(report.escape(saved))


@app.command()
@shared("json", "wait")
def load(
    bundle: Annotated[Path, typer.Argument(metavar="BUNDLE", help="A bundle made by `labctl images save`.")],
    user: User = None,
    *,
    opts: Options,
) -> None:
    """Load a bundle: only the images that are missing or different here; a second load loads nothing.

    Only the course's images, and only those the bundle's manifest lists: a bundle that would tag
    anything else is refused (exit 2) before anything is loaded. With --lab-user, a student's own build
    of an image the course has them build stays."""
    json_out, no_wait = opts.json, opts.no_wait
    podman = Podman(user)
    course_images.read_manifest(bundle.expanduser().resolve())  # a bad file is exit 2 at once, not after a wait
    found = scenarios.load_all(report.warn_all())
    allowed = {normalise(i.ref) for i in course_images.catalog(found)}
    keep = {normalise(b.tag) for s in found for b in s.builds.values() if b.by_student} if user else set()
    started = time.monotonic()
    # The store's own lock and lease: a student's (taken as the student) with --lab-user.
    loading = _("Loading into {store}").format(store=podman.whose)
    with lock.hold(wait=not no_wait, user=user), _live(loading, ["bundle"], json_out) as step:
        result = course_images.load(
            bundle,
            podman,
            step,
            on_bytes=lambda done, size: step(
                "bundle", _("{done} of {size}").format(done=_size(done), size=_size(size))
            ),
            allowed=allowed,
            keep=keep,
        )
    result["seconds"] = round(time.monotonic() - started, 1)
    if json_out:
        report.print_json(result)
        return
    for ref in result.get("kept") or []:
        kept = _("kept {image} as it is in {store} (built there; the bundle's stays out)")
        report.err.print(report.escape(kept.format(image=ref, store=podman.whose)))
    if result["loaded"]:
        loaded = ngettext(
            "loaded {n} image(s) into {store} ({seconds:.1f} s); {there} were already there",
            "loaded {n} image(s) into {store} ({seconds:.1f} s); {there} were already there",
            len(result["loaded"]),
        ).format(
            n=len(result["loaded"]),
            store=podman.whose,
            seconds=result["seconds"],
            there=len(result["already_there"]),
        )
        report.out.print(report.escape(loaded))
    else:
        nothing = ngettext(
            "nothing to load: all {n} images are already in {store}",
            "nothing to load: all {n} images are already in {store}",
            len(result["already_there"]),
        ).format(n=len(result["already_there"]), store=podman.whose)
        report.out.print(report.escape(nothing))


@app.command()
@shared("json")
def push(
    registry: Annotated[
        str, typer.Argument(metavar="REGISTRY[/PREFIX]", help="The room's registry, e.g. 10.0.0.5:5000.")
    ],
    ids: Scenarios = None,
    all_: All = False,
    insecure: Annotated[bool, typer.Option("--insecure", help="The registry speaks plain HTTP.")] = False,
    *,
    opts: Options,
) -> None:
    """Fill the room's registry with the course's images, under the paths a docker.io mirror serves."""
    if not registry or any(c in registry for c in " {}'\"\\") or "://" in registry:
        raise LabctlError(
            _("{registry!r} is no registry address: give HOST[:PORT][/PREFIX].").format(registry=registry),
            ExitCode.USAGE,
        )
    json_out = opts.json
    chosen = _chosen(ids, all_)
    pushing = _("Pushing to {registry}").format(registry=registry)
    with _live(pushing, [i.ref for i in chosen if i.kind == "pulled"], json_out) as step:
        results = course_images.push(chosen, Podman(), registry, insecure, step)
    if json_out:
        report.print_json(results)
        return
    for r in results:
        report.out.print(f"{report.escape(r['reference'])} → {report.escape(r['pushed_to'])} ({r['seconds']:.1f} s)")
    skipped = [i.ref for i in chosen if i.kind == "built"]
    if skipped:
        line = _("not pushed (each machine builds or receives them): {images}").format(images=", ".join(skipped))
        report.err.print(report.escape(line))


@app.command("build-lookalikes")
@shared("json", "wait")
def build_lookalikes(
    ids: Scenarios = None,
    all_: All = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Rebuild even when the recipe has not changed, and replace a real image of the same name."
        ),
    ] = False,
    ca_cert: Annotated[
        list[Path] | None,
        typer.Option("--ca-cert", help="Trust this CA in the images (a TLS-inspecting proxy's); default: the host's."),
    ] = None,
    *,
    opts: Options,
) -> None:
    """No registry at all: build look-alikes of the course's images from Debian's packages, tagged as the course's."""
    json_out, no_wait = opts.json, opts.no_wait
    chosen = [i.ref for i in _chosen(ids, all_) if i.kind == "pulled" and i.ref in lookalikes.references()]
    for cert in ca_cert or []:
        if not cert.is_file():
            raise LabctlError(_("--ca-cert {path}: no such file.").format(path=cert), ExitCode.USAGE)
    names = [r.name for r in lookalikes.recipes().values() if set(r.tags) & set(chosen) or r.name == "base"]
    with lock.hold(wait=not no_wait), _live(_("Building look-alike images"), names, json_out) as step:
        results = lookalikes.build(Podman(), chosen, force=force, ca_certs=ca_cert, on_step=step)
    if json_out:
        report.print_json([r.__dict__ for r in results])
        return
    for r in results:
        state = _(lookalikes.STATE_WORDS.get(r.state, r.state))
        if r.state == "built":
            state = _("built in {seconds:.0f} s").format(seconds=r.seconds)
        why = f" ({r.message})" if r.message else ""
        line = _("look-alike {tags}: {state}").format(tags=", ".join(r.tags), state=state)
        report.out.print(report.escape(line + why))
