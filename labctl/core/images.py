"""The course's images: which the scenarios use, and getting them onto a machine without a registry.

One list, from the scenario files: the images each exercise pulls and the images it builds from its
role's files. `up`, `prepare`, `labctl list` and `labctl images` all read it from there.
A bundle (`images save`) is one tar holding labctl-bundle.json (references, image IDs, the size
and sha256 of the image archive, labctl's version) and images.tar (`podman save -m`).
"""

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from labctl import __version__
from labctl.core import lookalikes
from labctl.core.errors import ExitCode, LabctlError
from labctl.core.i18n import N_, _, ngettext
from labctl.core.paths import make_state_dir
from labctl.core.podman import Podman, PodmanFailed, normalise
from labctl.core.scenarios import Scenario

MANIFEST = "labctl-bundle.json"
ARCHIVE = "images.tar"
BUNDLE_FORMAT = 1
WAYS_OUT = N_(
    "point this machine at the room's registry mirror (`labctl host setup --registry-mirror HOST:PORT`), "
    "load a bundle made where the images are (`labctl images load FILE`), or build look-alikes from "
    "Debian's packages (`labctl images build-lookalikes`)"
)
# What a pull did to an image: stable English words in --json ("result"), these words where it is shown.
PULL_WORDS = {
    "present": N_("present"),
    "pulled": N_("pulled"),
    "failed": N_("failed"),
    "kept look-alike": N_("kept look-alike"),
    "replaced look-alike": N_("replaced look-alike"),
    "built or up to date": N_("built or up to date"),
}
Step = Callable[[str, str], None]


@dataclass
class CourseImage:
    """One image the course uses: pulled from a registry, or built by an exercise."""

    ref: str
    kind: str  # "pulled" or "built"
    scenarios: list[str] = field(default_factory=list)
    context: str = ""  # built: the role's folder it is built from


def catalog(scenarios: list[Scenario]) -> list[CourseImage]:
    """Every image the scenarios use, pulled ones first, in the order the scenarios name them."""
    found: dict[str, CourseImage] = {}
    for s in scenarios:
        for ref in s.pulled_images:
            found.setdefault(ref, CourseImage(ref, "pulled")).scenarios.append(s.id)
        for build in s.builds.values():
            image = found.setdefault(
                build.tag, CourseImage(build.tag, "built", context=f"{s.role}/files/{build.context}")
            )
            image.scenarios.append(s.id)
    return sorted(found.values(), key=lambda i: i.kind != "pulled")


def source_of(image: CourseImage, info: dict | None, shown: bool = False) -> str:
    """Where an image in the store came from, as far as its labels tell: in English (--json's `source`),
    or `shown`, in the language shown."""
    say = _ if shown else str
    if info is None:
        return say(N_("missing"))
    labels = info.get("Labels") or {}
    if image.kind == "built":
        if "io.labctl.context" in labels:
            return say(N_("built from {context}")).format(context=image.context)
        return say(N_("built here (not by labctl)"))
    if labels.get(lookalikes.LABEL) == "true":
        about = labels.get(lookalikes.SOURCE_LABEL)
        if about is None:
            about = say(N_("built from Debian packages"))
        return say(N_("look-alike: {about}")).format(about=about)
    return say(N_("registry"))


def rows(images: list[CourseImage], podman: Podman) -> list[dict]:
    store = podman.images()
    result = []
    for image in images:
        info = store.get(image.ref)
        result.append(
            {
                "reference": image.ref,
                "kind": image.kind,
                "scenarios": image.scenarios,
                "present": info is not None,
                "id": info["Id"][:12] if info else "",
                "size": info["Size"] if info else 0,
                "source": source_of(image, info),
                "source_text": source_of(image, info, shown=True),
                "lookalike": bool(
                    info and (info["Labels"] or {}).get(lookalikes.LABEL) == "true" and image.kind == "pulled"
                ),
            }
        )
    return result


def pull(images: list[CourseImage], podman: Podman, policy: str, on_step: Step) -> list[dict]:
    """Pull the course's registry images: missing ones, and look-alikes the registry can now replace."""
    store = podman.images()
    results, failed = [], []
    for image in (i for i in images if i.kind == "pulled"):
        info = store.get(image.ref)
        lookalike = bool(info and info["Labels"].get(lookalikes.LABEL) == "true")
        if info and not lookalike and policy != "always":
            results.append({"reference": image.ref, "result": "present", "seconds": 0.0})
            on_step(image.ref, _("present"))
            continue
        on_step(image.ref, _("pulling"))
        started = time.monotonic()
        try:
            podman.run("pull", "--quiet", image.ref, timeout=1800)
        except PodmanFailed as exc:
            seconds = time.monotonic() - started
            if lookalike:  # the look-alike stays: the course still works
                results.append({"reference": image.ref, "result": "kept look-alike", "reason": exc.reason})
                on_step(image.ref, _("registry did not answer: the look-alike stays"))
            else:
                results.append({"reference": image.ref, "result": "failed", "reason": exc.reason})
                failed.append((image.ref, exc.reason))
                on_step(image.ref, _("failed"))
            continue
        seconds = time.monotonic() - started
        result = "replaced look-alike" if lookalike else "pulled"
        results.append({"reference": image.ref, "result": result, "seconds": round(seconds, 1)})
        done = _("replaced look-alike in {seconds:.0f} s") if lookalike else _("pulled in {seconds:.0f} s")
        on_step(image.ref, done.format(seconds=seconds))
    if failed:
        ref, reason = failed[0]
        more = _(" (and {n} more)").format(n=len(failed) - 1) if len(failed) > 1 else ""
        raise LabctlError(
            _("Cannot pull {image}{more} ({reason}): {ways_out}.").format(
                image=ref, more=more, reason=reason[:160], ways_out=_(WAYS_OUT)
            ),
            ExitCode.FAILED,
        )
    return results


def push(images: list[CourseImage], podman: Podman, registry: str, insecure: bool, on_step: Step) -> list[dict]:
    """Copy the course's registry images to REGISTRY[/PREFIX] under the paths a docker.io mirror serves."""
    store = podman.images()
    results = []
    for image in (i for i in images if i.kind == "pulled"):
        if image.ref not in store:
            raise LabctlError(
                _(
                    "{image} is not on this machine, so it cannot be pushed: run `labctl images pull` "
                    "(or `images load`) first."
                ).format(image=image.ref),
                ExitCode.USAGE,
            )
        path = image.ref.split("/", 1)[1] if "." in image.ref.split("/", 1)[0] else image.ref
        target = f"{registry.rstrip('/')}/{path}"
        on_step(image.ref, _("pushing to {target}").format(target=target))
        started = time.monotonic()
        try:
            podman.run("push", "--quiet", f"--tls-verify={'false' if insecure else 'true'}", image.ref, target)
        except PodmanFailed as exc:
            hint = "" if insecure else _(" (a registry without TLS needs --insecure)")
            raise LabctlError(
                _("Cannot push {image} to {target}: {reason}{hint}; check the registry's address.").format(
                    image=image.ref, target=target, reason=exc.reason, hint=hint
                ),
                ExitCode.FAILED,
            ) from None
        seconds = time.monotonic() - started
        results.append({"reference": image.ref, "pushed_to": target, "seconds": round(seconds, 1)})
        on_step(image.ref, _("pushed in {seconds:.0f} s").format(seconds=seconds))
    return results


def save(images: list[CourseImage], podman: Podman, output: Path, on_step: Step) -> dict:
    """Write one bundle with every image of `images` (all must be present) and its manifest."""
    store = podman.images()
    missing = [i.ref for i in images if i.ref not in store]
    if missing:
        more = _(" (nor {n} more)").format(n=len(missing) - 1) if missing[1:] else ""
        raise LabctlError(
            _("{image} is not on this machine{more}: run `labctl images pull` first, then save.").format(
                image=missing[0], more=more
            ),
            ExitCode.USAGE,
        )
    output = output.expanduser().resolve()
    if not output.parent.is_dir():
        raise LabctlError(_("Cannot write {file}: its folder does not exist.").format(file=output), ExitCode.USAGE)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=".labctl-save-", dir=output.parent) as tmp:
        archive = Path(tmp) / ARCHIVE
        on_step("bundle", ngettext("saving {n} image", "saving {n} images", len(images)).format(n=len(images)))
        podman.run(
            "save", "--multi-image-archive", "--quiet", "-o", str(archive), *[i.ref for i in images], timeout=3600
        )
        on_step("bundle", _("checksumming"))
        manifest = {
            "format": BUNDLE_FORMAT,
            "labctl_version": __version__,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "images": [
                {"reference": i.ref, "id": store[i.ref]["Id"], "kind": i.kind, "scenarios": i.scenarios} for i in images
            ],
            "archive": {"name": ARCHIVE, "size": archive.stat().st_size, "sha256": _sha256(archive.open("rb"))},
        }
        data = json.dumps(manifest, indent=2).encode()
        partial = Path(tmp) / "bundle.tar"
        with tarfile.open(partial, "w") as bundle:
            entry = tarfile.TarInfo(MANIFEST)
            entry.size, entry.mtime, entry.mode = len(data), int(time.time()), 0o644
            bundle.addfile(entry, io.BytesIO(data))
            bundle.add(archive, ARCHIVE)
        partial.chmod(0o644)
        os.replace(partial, output)  # a bundle is there whole, or not at all
    manifest["path"] = str(output)
    manifest["bundle_size"] = output.stat().st_size
    manifest["seconds"] = round(time.monotonic() - started, 1)
    return manifest


MAX_MANIFEST = 1 << 20  # bytes: a manifest lists a course's images, not more
MAX_INNER_MANIFEST = 4 << 20  # the image archive's own manifest.json
OCI_MARKERS = ("index.json", "oci-layout")  # an OCI archive: its tags are not where labctl looks


def _refuse(message: str) -> LabctlError:
    return LabctlError(message, ExitCode.USAGE)


def _read_bundle(raw: IO[bytes], path: Path) -> tuple[dict, tarfile.TarInfo]:
    """The manifest and the image archive's entry, read from the open bundle `raw`: shape and size."""
    try:
        with tarfile.open(fileobj=raw, mode="r:") as bundle:  # raw stays open: tarfile does not own it
            first = bundle.next()
            if first is None or first.name != MANIFEST:
                raise _refuse(
                    _(
                        "{path} is not a complete labctl image bundle (no {file} at its start); make it again with "
                        "`labctl images save`."
                    ).format(path=path, file=MANIFEST)
                )
            if not first.isreg():
                raise _refuse(
                    _(
                        "{path} is not a complete labctl image bundle (its {file} is a link, not a file); make it "
                        "again with `labctl images save`."
                    ).format(path=path, file=MANIFEST)
                )
            if first.size > MAX_MANIFEST:
                raise _refuse(
                    _(
                        "{path} is not a complete labctl image bundle (its {file} is {size} bytes, more than a "
                        "manifest holds)."
                    ).format(path=path, file=MANIFEST, size=first.size)
                )
            manifest = json.loads(bundle.extractfile(first).read(MAX_MANIFEST))
            entry = bundle.next()
    except (tarfile.TarError, OSError, ValueError, AttributeError, KeyError) as exc:
        raise _refuse(
            _(
                "{path} is not a complete labctl image bundle ({problem}); copy it again or make it again with "
                "`labctl images save`."
            ).format(path=path, problem=exc)
        ) from None
    archive = manifest.get("archive") if isinstance(manifest, dict) else None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != BUNDLE_FORMAT
        or not isinstance(archive, dict)
        or not isinstance(manifest.get("images"), list)
        or not manifest["images"]
        or not all(isinstance(i, dict) and isinstance(i.get("reference"), str) for i in manifest["images"])
    ):
        raise _refuse(
            _(
                "{path} is not a complete labctl image bundle (unknown manifest); make it with this labctl's "
                "`images save`."
            ).format(path=path)
        )
    if entry is not None and entry.name == archive.get("name") and not entry.isreg():
        raise _refuse(
            _(
                "{path} is not a complete labctl image bundle (its {file} is a link, not a file); make it "
                "again with `labctl images save`."
            ).format(path=path, file=entry.name)
        )
    if entry is None or entry.name != archive.get("name") or entry.size != archive.get("size"):
        raise _refuse(
            _(
                "{path} is truncated or damaged (its image archive is not the size its manifest says); "
                "copy it again, then load it."
            ).format(path=path)
        )
    end = entry.offset_data + entry.size
    size = os.fstat(raw.fileno()).st_size
    if size < end:
        raise _refuse(
            _("{path} is truncated ({size} of at least {end} bytes); copy it again, then load it.").format(
                path=path, size=size, end=end
            )
        )
    return manifest, entry


def _open(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise _refuse(
            _("{path} does not exist; give the path of a bundle made by `labctl images save`.").format(path=path)
        ) from None
    except OSError as exc:
        raise _refuse(
            _("Cannot read {path} ({problem}); give the path of a bundle you can read.").format(
                path=path, problem=exc.strerror
            )
        ) from None


def read_manifest(path: Path) -> tuple[dict, tarfile.TarInfo]:
    """The bundle's manifest and its image archive's entry, checked for shape and size (not yet content)."""
    with _open(path) as raw:
        return _read_bundle(raw, path)


class _Slice(io.RawIOBase):
    """A read-only window of an open file (the image archive inside the bundle), for tarfile."""

    def __init__(self, raw: IO[bytes], offset: int, size: int):
        self.raw, self.offset, self.size, self.pos = raw, offset, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, pos: int, whence: int = 0) -> int:
        self.pos = max(0, {0: pos, 1: self.pos + pos, 2: self.size + pos}[whence])
        return self.pos

    def readinto(self, buffer) -> int:
        want = min(len(buffer), self.size - self.pos)
        if want <= 0:
            return 0
        self.raw.seek(self.offset + self.pos)
        data = self.raw.read(want)
        buffer[: len(data)] = data
        self.pos += len(data)
        return len(data)


def archive_tags(raw: IO[bytes], entry: tarfile.TarInfo) -> dict[str, str]:
    """Every tag the image archive applies when loaded ({reference: image ID}), from its own manifest.json.

    `podman load` applies all of them, whatever the bundle's manifest lists: this is what is checked."""
    window = io.BufferedReader(_Slice(raw, entry.offset_data, entry.size))
    try:
        with tarfile.open(fileobj=window, mode="r:") as inner:
            members = {m.name.removeprefix("./"): m for m in inner.getmembers()}
            oci = [name for name in OCI_MARKERS if name in members]
            listing = members.get("manifest.json")
            if oci or listing is None or not listing.isreg() or listing.size > MAX_INNER_MANIFEST:
                raise _refuse(
                    _(
                        "the bundle's image archive is not one `labctl images save` makes (a docker archive with its "
                        "manifest.json); make the bundle again with `labctl images save`."
                    )
                )
            images = json.loads(inner.extractfile(listing).read(MAX_INNER_MANIFEST))
    except (tarfile.TarError, OSError, ValueError, KeyError, AttributeError) as exc:
        raise _refuse(
            _("The bundle's image archive cannot be read ({problem}); copy it again.").format(problem=exc)
        ) from None
    tags: dict[str, str] = {}
    for image in images if isinstance(images, list) else []:
        config = str((image or {}).get("Config") or "")
        image_id = os.path.basename(config).removesuffix(".json").removeprefix("sha256:")
        for tag in (image or {}).get("RepoTags") or []:
            tags[normalise(str(tag))] = image_id
    return tags


def check_bundle(manifest: dict, tags: dict[str, str], allowed: set[str] | None, path: Path) -> None:
    """Refuse (exit 2) a bundle that would tag anything but what its manifest lists and the course knows."""
    listed = {normalise(i["reference"]): i.get("id") for i in manifest["images"]}
    if allowed is not None:
        foreign = sorted(r for r in listed if r not in allowed)
        if foreign:
            raise _refuse(
                _(
                    "{path} holds {image}, which is no image of this course's scenarios: labctl loads only "
                    "the course's images; nothing was loaded."
                ).format(path=path, image=foreign[0])
            )
    extra = sorted(t for t in tags if t not in listed)
    if extra:
        raise _refuse(
            _(
                "{path} would also tag {image}, which its manifest does not list: the bundle has been changed "
                "since `labctl images save` made it; nothing was loaded."
            ).format(path=path, image=extra[0])
        )
    different = sorted(r for r, image_id in listed.items() if tags.get(r) != image_id)
    if different:
        raise _refuse(
            _(
                "{path} does not hold {image} as its manifest says (another image, or none): make the bundle "
                "again with `labctl images save`; nothing was loaded."
            ).format(path=path, image=different[0])
        )


def load(
    path: Path,
    podman: Podman,
    on_step: Step,
    on_bytes: Callable[[int, int], None] | None = None,
    *,
    allowed: set[str] | None = None,
    keep: set[str] | None = None,
) -> dict:
    """Load a bundle into the store: only when an image is missing or different (by image ID); idempotent.

    The bundle is opened once: checked (its manifest, the tags its archive would apply, only the
    course's references in `allowed`, its checksum), then loaded from the same open file, hashed
    again on the way. `keep`: references whose image in the store stays (a student's own builds)."""
    path = path.expanduser().resolve()
    keep = keep or set()
    with _open(path) as raw:
        manifest, entry = _read_bundle(raw, path)
        check_bundle(manifest, archive_tags(raw, entry), allowed, path)
        before = podman.images()
        wanted = {normalise(i["reference"]): i["id"] for i in manifest["images"]}
        kept = sorted(r for r in keep if r in wanted and r in before and before[r]["Id"] != wanted[r])
        todo = [ref for ref, image_id in wanted.items() if (before.get(ref) or {}).get("Id") != image_id]
        todo = [ref for ref in todo if ref not in kept]
        result = {
            "path": str(path),
            "store": podman.store,
            "loaded": todo,
            "already_there": [r for r in wanted if r not in todo and r not in kept],
            "kept": kept,
        }
        if not todo:
            on_step("bundle", _("every image is already there"))
            return result
        on_step("bundle", _("checking its checksum"))
        if _sha256(_window(raw, entry.offset_data, entry.size)) != manifest["archive"]["sha256"]:
            raise _refuse(
                _("{path} is damaged (its checksum does not match its manifest); copy it again.").format(path=path)
            )
        on_step(
            "bundle",
            ngettext("loading {n} of {total} image", "loading {n} of {total} images", len(wanted)).format(
                n=len(todo), total=len(wanted)
            ),
        )
        digest = hashlib.sha256()
        try:
            podman.feed(_hashed(_window(raw, entry.offset_data, entry.size, on_bytes), digest), "load", "--quiet")
        except LabctlError:
            _untag_partial(podman, before, wanted)
            raise
    _restore(podman, before, kept)
    if digest.hexdigest() != manifest["archive"]["sha256"]:  # the file changed while it was loaded
        _untag_partial(podman, before, {r: "" for r in wanted})
        raise LabctlError(
            _("{path} changed while it was loaded; nothing of it stays: copy it again.").format(path=path),
            ExitCode.FAILED,
        )
    after = podman.images()
    wrong = [r for r, image_id in wanted.items() if r not in kept and (after.get(r) or {}).get("Id") != image_id]
    if wrong:
        _untag_partial(podman, before, wanted)
        raise LabctlError(
            _("Loading {path} left {image} without the bundle's image; load it again.").format(
                path=path, image=wrong[0]
            ),
            ExitCode.FAILED,
        )
    return result


def _hashed(chunks: Iterator[bytes], digest) -> Iterator[bytes]:
    for block in chunks:
        digest.update(block)
        yield block


def _restore(podman: Podman, before: dict, refs: list[str]) -> None:
    """Give these references back the images they named before the load."""
    for ref in refs:
        podman.run("tag", before[ref]["Id"], ref, check=False)


def _untag_partial(podman: Podman, before: dict, wanted: dict[str, str]) -> None:
    """After a failed load, no reference may point at something the load left half done."""
    now = podman.images()
    for ref, image_id in wanted.items():
        if ref in now and now[ref]["Id"] != (before.get(ref) or {}).get("Id") and now[ref]["Id"] != image_id:
            podman.run("untag", now[ref]["Id"], ref, check=False)


def _window(raw: IO[bytes], offset: int, size: int, on_bytes=None, chunk: int = 4 << 20) -> Iterator[bytes]:
    raw.seek(offset)
    left, done = size, 0
    while left:
        block = raw.read(min(chunk, left))
        if not block:
            raise LabctlError(_("The bundle ended early: it is truncated; copy it again."), ExitCode.USAGE)
        left -= len(block)
        done += len(block)
        if on_bytes:
            on_bytes(done, size)
        yield block


def _sha256(chunks) -> str:
    digest = hashlib.sha256()
    if hasattr(chunks, "read"):
        with chunks:
            for block in iter(lambda: chunks.read(4 << 20), b""):
                digest.update(block)
    else:
        for block in chunks:
            digest.update(block)
    return digest.hexdigest()


def controller_cache(keep: set[str]) -> Path:
    """Where the controller keeps image archives for the machines it serves: in this account's own state
    folder (root's: /var/lib/labctl/images), which no one else may write.

    One archive per set of images that hosts lack (playbooks/steps/images_from_controller.yml): `NAME.tar`
    with the image IDs it holds in `NAME.ids`, so that the layers the images share travel once. An archive
    goes when one of its images is no longer in the store (`keep`: the store's image IDs; it would never
    be asked for again), and so does anything else here: the .tar.part of a save a killed run left (call
    it holding the lock: no save is running), an .ids without its archive, a link, a folder.
    """
    folder = make_state_dir("images")
    entries = list(folder.iterdir())
    kept: set[str] = set()
    for entry in entries:
        stem = entry.name.removesuffix(".tar")
        ids = folder / f"{stem}.ids"
        if entry.name.endswith(".tar") and _plain_file(entry) and _plain_file(ids):
            held = set(ids.read_text(encoding="ascii", errors="replace").split())
            if held and held <= keep:
                kept |= {entry.name, ids.name}
    for entry in entries:
        if entry.name in kept:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    return folder


def _plain_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()
