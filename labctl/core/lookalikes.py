"""Look-alike images: the course's images rebuilt from the distribution's packages, for rooms with no registry.

Each folder of labctl/lookalikes/ with a Containerfile and a `tags` file is one recipe. Its image is
tagged with the course's exact references (docker.io/library/nginx:alpine, ...) so the course's
commands work as typed, and labelled io.labctl.lookalike=true with what it is built from. A recipe
is rebuilt only when its files change: its hash (files, modes, and the recipes it builds FROM) is
kept in the label io.labctl.lookalike.recipe.
"""

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from labctl.core.errors import ExitCode, LabctlError
from labctl.core.i18n import N_, _
from labctl.core.podman import Podman, normalise

RECIPES = Path(__file__).resolve().parent.parent / "lookalikes"
LABEL = "io.labctl.lookalike"
RECIPE_LABEL = f"{LABEL}.recipe"
SOURCE_LABEL = f"{LABEL}.source"
HASH_VERSION = b"labctl-lookalike-recipe-v1"
HOST_CA_DIR = Path("/usr/local/share/ca-certificates")
IGNORED = {"__pycache__", ".git"}


@dataclass
class Recipe:
    name: str
    folder: Path
    tags: list[str]
    about: str
    froms: list[str]
    deps: list["Recipe"] = field(default_factory=list)
    _hash: str = ""

    def files(self) -> list[Path]:
        return sorted(p for p in self.folder.rglob("*") if p.is_file() and not IGNORED & set(p.parts))

    @property
    def hash(self) -> str:
        if not self._hash:
            digest = hashlib.sha256(HASH_VERSION + b"\0")
            for path in self.files():
                data = path.read_bytes()
                mode = "x" if os.access(path, os.X_OK) else "-"
                digest.update(f"file {path.relative_to(self.folder).as_posix()} {mode} {len(data)}\0".encode())
                digest.update(data)
            for dep in sorted(self.deps, key=lambda d: d.name):
                digest.update(f"dep {dep.name} {dep.hash}\0".encode())
            self._hash = digest.hexdigest()
        return self._hash


def _lines(path: Path) -> list[str]:
    return [s for line in path.read_text().splitlines() if (s := line.strip()) and not s.startswith("#")]


def recipes() -> dict[str, Recipe]:
    """Every recipe, dependencies before the recipes built FROM them."""
    found: dict[str, Recipe] = {}
    for folder in sorted(RECIPES.iterdir()):
        if (folder / "Containerfile").is_file() and (folder / "tags").is_file():
            froms = [w[1] for line in _lines(folder / "Containerfile") if (w := line.split())[0].upper() == "FROM"]
            about = folder / "about"
            found[folder.name] = Recipe(
                folder.name,
                folder,
                [normalise(t) for t in _lines(folder / "tags")],
                about.read_text().strip() if about.is_file() else folder.name,
                [normalise(f) for f in froms if f != "scratch"],
            )
    by_tag = {tag: r for r in found.values() for tag in r.tags}
    for r in found.values():
        r.deps = [by_tag[f] for f in r.froms if f in by_tag]
    order: list[Recipe] = []

    def visit(r: Recipe) -> None:
        if r not in order:
            for dep in r.deps:
                visit(dep)
            order.append(r)

    for r in found.values():
        visit(r)
    return {r.name: r for r in order}


def references() -> set[str]:
    """The references that look-alikes can stand in for (the base is no course image)."""
    return {tag for r in recipes().values() for tag in r.tags if not tag.startswith("localhost/")}


def supported() -> None:
    """Raise unless this machine can build look-alikes: Debian or Ubuntu, with mmdebstrap."""
    fields = {}
    with open("/etc/os-release", encoding="utf-8") as release:
        for line in release:
            key, _sep, value = line.strip().partition("=")
            fields[key] = value.strip('"')
    family = {fields.get("ID", ""), *fields.get("ID_LIKE", "").split()}
    if not family & {"debian", "ubuntu"}:
        raise LabctlError(
            _(
                "Look-alike images are built from Debian packages with mmdebstrap, which labctl supports only on "
                "Debian and Ubuntu, not on {system}; load the images with `labctl images load` instead."
            ).format(system=fields.get("PRETTY_NAME") or _("this system")),
            ExitCode.HOST_NOT_READY,
        )
    if not shutil.which("mmdebstrap"):
        raise LabctlError(
            _("Building look-alike images needs mmdebstrap: run `apt-get install mmdebstrap`, then try again."),
            ExitCode.HOST_NOT_READY,
        )


@dataclass
class Built:
    name: str
    tags: list[str]
    state: str  # "built", "tagged", "up to date", "kept the real image", "failed" (STATE_WORDS: as shown)
    seconds: float = 0.0
    message: str = ""


# A look-alike's state: a stable English word in --json, these words where it is shown.
STATE_WORDS = {
    "built": N_("built"),
    "tagged": N_("tagged"),
    "up to date": N_("up to date"),
    "kept the real image": N_("kept the real image"),
    "failed": N_("failed"),
}


def _current(recipe: Recipe, images: dict[str, dict]) -> bool:
    """Every tag of the recipe names one and the same image, built from the recipe as it is now."""
    ids = {(images.get(t) or {}).get("Id") for t in recipe.tags}
    return len(ids) == 1 and _built_from(recipe, images.get(recipe.tags[0]))


def _built_from(recipe: Recipe, image: dict | None) -> bool:
    return bool(image) and (image.get("Labels") or {}).get(RECIPE_LABEL) == recipe.hash


def _reusable(recipe: Recipe, images: dict[str, dict]) -> str | None:
    """An image some of the recipe's tags still name, built from the recipe as it is now (the one most name)."""
    ids = [images[t]["Id"] for t in recipe.tags if _built_from(recipe, images.get(t))]
    return max(ids, key=ids.count) if ids else None


def _needed(wanted: Iterable[str], all_recipes: dict[str, Recipe]) -> list[Recipe]:
    chosen: list[Recipe] = []
    wanted = set(wanted)

    def add(r: Recipe) -> None:
        for dep in r.deps:
            add(dep)
        if r not in chosen:
            chosen.append(r)

    for r in all_recipes.values():
        if wanted & set(r.tags):
            add(r)
    return [r for r in all_recipes.values() if r in chosen]


def build(
    podman: Podman,
    wanted: Iterable[str],
    *,
    force: bool = False,
    ca_certs: list[Path] | None = None,
    on_step: Callable[[str, str], None] = lambda name, what: None,
) -> list[Built]:
    """Build the look-alikes of `wanted` (and what they are built FROM) that are missing or outdated.

    A name that holds a real image (not a look-alike: pulled, loaded or built by someone) keeps it:
    that recipe is skipped, saying so; `force` replaces it (and rebuilds what is current)."""
    all_recipes = recipes()
    chosen = _needed(wanted, all_recipes)
    images = podman.images()
    results: list[Built] = []
    rebuilt: set[str] = set()
    for recipe in chosen:
        real = [t for t in recipe.tags if t in images and (images[t].get("Labels") or {}).get(LABEL) != "true"]
        if real and not force:
            message = _(
                "{image} is a real image here, not a look-alike: it stays, and its look-alike is not built "
                "(--force replaces it)"
            ).format(image=real[0])
            results.append(Built(recipe.name, recipe.tags, "kept the real image", message=message))
            on_step(recipe.name, message)
            continue
        stale_deps = any(d.name in rebuilt for d in recipe.deps)
        if not force and not stale_deps and _current(recipe, images):
            results.append(Built(recipe.name, recipe.tags, "up to date"))
            on_step(recipe.name, _("up to date"))
            continue
        started = time.monotonic()
        old = {images[t]["Id"] for t in recipe.tags if t in images}
        reuse = None if force or stale_deps else _reusable(recipe, images)
        if reuse:
            # A tag was removed or moved (say, `podman rmi nginx:alpine`): the recipe's image is still
            # here under another of its tags, so tag it again instead of building a different image.
            podman.run("tag", reuse, *recipe.tags)
        else:
            supported()
            on_step(recipe.name, _("building"))
            _build_one(podman, recipe, ca_certs)
            rebuilt.add(recipe.name)
        images = podman.images()
        # The images this build replaced are untagged now: remove them unless a container uses one.
        for image_id in old - {images[t]["Id"] for t in recipe.tags if t in images}:
            podman.run("image", "rm", image_id, check=False)
        seconds = time.monotonic() - started
        results.append(Built(recipe.name, recipe.tags, "tagged" if reuse else "built", seconds))
        on_step(
            recipe.name,
            _("tagged again (its image was still here)")
            if reuse
            else _("built in {seconds:.0f} s").format(seconds=seconds),
        )
    return results


def _build_one(podman: Podman, recipe: Recipe, ca_certs: list[Path] | None) -> None:
    with tempfile.TemporaryDirectory(prefix=f"labctl-lookalike-{recipe.name}-") as tmp:
        context = Path(tmp) / "context"
        shutil.copytree(recipe.folder, context, ignore=shutil.ignore_patterns(*IGNORED))
        # Behind a TLS-inspecting proxy, builds that fetch over HTTPS (pip) must trust its CA.
        certs = context / "extra-ca-certificates"
        certs.mkdir()
        for n, cert in enumerate(ca_certs if ca_certs is not None else sorted(HOST_CA_DIR.rglob("*.crt"))):
            shutil.copyfile(cert, certs / f"{n:02d}-{cert.stem}.crt")
        log = Path(tmp) / "build.log"
        steps = []
        if (context / "rootfs.sh").is_file():
            steps.append(["sh", "rootfs.sh", str(context / "rootfs.tar")])
        labels = {LABEL: "true", RECIPE_LABEL: recipe.hash, SOURCE_LABEL: recipe.about}
        steps.append(
            [
                *podman.argv("build", "--pull=never", "--layers=false", "--force-rm"),
                *[arg for k, v in labels.items() for arg in ("--label", f"{k}={v}")],
                *[arg for t in recipe.tags for arg in ("--tag", t)],
                str(context),
            ]
        )
        with log.open("w") as out:
            for argv in steps:
                proc = subprocess.run(
                    argv,
                    cwd=context,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,  # no terminal for what podman runs (see labctl.core.podman)
                )
                if proc.returncode != 0:
                    tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
                    raise LabctlError(
                        _(
                            "Building the look-alike of {image} failed ({problem}); check that this "
                            "machine reaches the Debian mirror (LABCTL_DEBIAN_MIRROR), then try again."
                        ).format(image=recipe.tags[0], problem=tail[0][:200]),
                        ExitCode.FAILED,
                    )
