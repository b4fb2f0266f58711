#!/usr/bin/env python3
"""Build the labctl stand-in container images (test fixtures only).

Every sub-directory of tests/images/ that holds a ``Containerfile`` and a
``tags`` file is one recipe.  The image is built with ``podman build`` from a
temporary copy of that directory, to which build.py adds:

* ``extra-ca-certificates/``: the host's /usr/local/share/ca-certificates
  (*.crt), so that images can trust a TLS-inspecting proxy.  These are never
  part of the repository nor of the recipe hash.
* ``rootfs.tar``: if the recipe has a ``rootfs.sh``, it is run as
  ``sh rootfs.sh rootfs.tar`` (mmdebstrap) inside the temporary context first.

A recipe whose Containerfile says ``FROM <tag of another recipe>`` depends on
that recipe.  The recipe hash is a sha256 over the recipe's files (relative
paths, executable bits and contents) plus the hashes of its dependencies.  It
is stored in the image label io.labctl.standin.recipe; an image whose tags
all carry the current hash is "up to date" and not rebuilt.

Usage: build.py [--force] [--list] [-j N] [-v] [NAME ...]
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABEL = "io.labctl.standin"
RECIPE_LABEL = "io.labctl.standin.recipe"
HASH_VERSION = b"labctl-standin-recipe-v1"
CA_SOURCE = Path(os.environ.get("LABCTL_STANDIN_CA_DIR", "/usr/local/share/ca-certificates"))
CA_CONTEXT_DIR = "extra-ca-certificates"
IGNORED_NAMES = {"__pycache__", ".git", ".DS_Store"}

print_lock = threading.Lock()


def say(msg: str) -> None:
    with print_lock:
        print(msg, flush=True)


class Recipe:
    def __init__(self, path: Path):
        self.name = path.name
        self.dir = path
        self.tags = [
            line.strip()
            for line in (path / "tags").read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
        if not self.tags:
            raise SystemExit(f"build.py: {path}/tags lists no tags")
        self.froms = []
        for line in (path / "Containerfile").read_text().splitlines():
            words = line.split()
            if words and words[0].upper() == "FROM":
                refs = [w for w in words[1:] if not w.startswith("--")]
                if refs:
                    self.froms.append(refs[0])
        self.deps: list[Recipe] = []
        self._hash = None

    def files(self):
        for root, dirs, files in os.walk(self.dir):
            dirs[:] = sorted(d for d in dirs if d not in IGNORED_NAMES)
            for f in sorted(files):
                if f in IGNORED_NAMES or f.endswith(("~", ".swp", ".pyc")):
                    continue
                yield Path(root) / f

    @property
    def hash(self) -> str:
        if self._hash is None:
            h = hashlib.sha256(HASH_VERSION + b"\0")
            entries = []
            for p in self.files():
                rel = p.relative_to(self.dir).as_posix()
                mode = "x" if os.access(p, os.X_OK) else "-"
                entries.append((rel, mode, p))
            for rel, mode, p in sorted(entries):
                data = p.read_bytes()
                h.update(f"file {rel} {mode} {len(data)}\0".encode())
                h.update(data)
            for dep in sorted(self.deps, key=lambda d: d.name):
                h.update(f"dep {dep.name} {dep.hash}\0".encode())
            self._hash = h.hexdigest()
        return self._hash


def normalise(ref: str) -> str:
    last = ref.rsplit("/", 1)[-1]
    if ":" not in last and "@" not in last:
        ref += ":latest"
    return ref


def load_recipes() -> dict:
    recipes = {}
    for path in sorted(HERE.iterdir()):
        if path.is_dir() and (path / "Containerfile").is_file() and (path / "tags").is_file():
            recipes[path.name] = Recipe(path)
    by_tag = {normalise(t): r for r in recipes.values() for t in r.tags}
    for r in recipes.values():
        for ref in r.froms:
            dep = by_tag.get(normalise(ref))
            if dep is not None and dep is not r and dep not in r.deps:
                r.deps.append(dep)
    # check for cycles while computing a topological order
    order, state = [], {}

    def visit(r, stack):
        if state.get(r.name) == "done":
            return
        if state.get(r.name) == "active":
            raise SystemExit("build.py: dependency cycle: " + " -> ".join([*stack, r.name]))
        state[r.name] = "active"
        for d in r.deps:
            visit(d, [*stack, r.name])
        state[r.name] = "done"
        order.append(r)

    for r in recipes.values():
        visit(r, [])
    return {r.name: r for r in order}


class Podman:
    def __init__(self, cmd: list):
        self.cmd = cmd

    def run(self, *args, check=True, capture=True, **kw):
        return subprocess.run(
            self.cmd + list(args),
            check=check,
            text=True,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.PIPE if capture else None,
            **kw,
        )

    def inspect(self, ref: str):
        res = self.run("image", "inspect", ref, check=False)
        if res.returncode != 0:
            return None
        try:
            data = json.loads(res.stdout)
        except json.JSONDecodeError:
            return None
        return data[0] if data else None


def labels_of(info) -> dict:
    if not info:
        return {}
    return info.get("Labels") or (info.get("Config") or {}).get("Labels") or {}


def image_status(podman: Podman, recipe: Recipe):
    """Return (up_to_date, id of an image carrying the current recipe hash,
    ids of all images the recipe's tags point at now)."""
    current_id, all_current, ids = None, True, []
    for tag in recipe.tags:
        info = podman.inspect(tag)
        if info is not None:
            ids.append(info["Id"])
        if info is not None and labels_of(info).get(RECIPE_LABEL) == recipe.hash:
            current_id = current_id or info["Id"]
            all_current = all_current and info["Id"] == current_id
        else:
            all_current = False
    return bool(current_id and all_current), current_id, ids


def remove_replaced(podman: Podman, ids) -> None:
    """Remove images that this run replaced, if nothing refers to them any
    more: still labelled as ours, no tags left.  Children before parents;
    failures (e.g. a container still uses the image) are ignored."""
    for image_id in ids:
        info = podman.inspect(image_id)
        if info and labels_of(info).get(LABEL) == "true" and not (info.get("RepoTags") or []):
            podman.run("rmi", image_id, check=False)


def copy_ca_certs(dest: Path) -> int:
    dest.mkdir(exist_ok=True)
    n = 0
    if CA_SOURCE.is_dir():
        for crt in sorted(CA_SOURCE.rglob("*.crt")):
            if crt.is_file():
                rel = crt.relative_to(CA_SOURCE).as_posix().replace("/", "_")
                shutil.copyfile(crt, dest / rel)
                n += 1
    return n


def log_tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join("    | " + line for line in text[-lines:])


def build(podman: Podman, recipe: Recipe, logdir: Path, verbose: bool):
    """Build one recipe; raises RuntimeError with a message on failure."""
    logfile = logdir / f"{recipe.name}.log"
    start = time.monotonic()
    with open(logfile, "w") as log, tempfile.TemporaryDirectory(prefix=f"labctl-standin-{recipe.name}-") as tmp:
        out = None if verbose else log
        ctx = Path(tmp) / "context"
        shutil.copytree(recipe.dir, ctx, symlinks=True, ignore=shutil.ignore_patterns(*IGNORED_NAMES))
        copy_ca_certs(ctx / CA_CONTEXT_DIR)

        def step(argv, what):
            log.write(f"+ {shlex.join(argv)}\n")
            log.flush()
            res = subprocess.run(
                argv, cwd=ctx, stdout=out, stderr=subprocess.STDOUT if out else None, stdin=subprocess.DEVNULL
            )
            if res.returncode != 0:
                raise RuntimeError(f"{what} failed (exit {res.returncode}); log: {logfile}")

        if (ctx / "rootfs.sh").is_file():
            step(["sh", "rootfs.sh", str(ctx / "rootfs.tar")], "rootfs.sh (mmdebstrap)")
        argv = [
            *podman.cmd,
            "build",
            "--pull=never",
            "--layers=false",
            "--force-rm",
            "--file",
            str(ctx / "Containerfile"),
            "--label",
            f"{LABEL}=true",
            "--label",
            f"{RECIPE_LABEL}={recipe.hash}",
            "--label",
            f"{LABEL}.name={recipe.name}",
        ]
        for tag in recipe.tags:
            argv += ["--tag", tag]
        argv.append(str(ctx))
        step(argv, "podman build")
    return time.monotonic() - start


def human_size(n) -> str:
    n = float(n or 0)
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="Build the labctl stand-in images (test fixtures that replace "
        "docker.io images offline). Images are rebuilt only when their recipe changed."
    )
    ap.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help="recipes to build (directory names; default: all). "
        "Dependencies are built too if they are missing or stale.",
    )
    ap.add_argument(
        "--force", action="store_true", help="rebuild the named recipes (all if none named) even if up to date"
    )
    ap.add_argument("--list", action="store_true", help="list recipes, tags and status; build nothing")
    ap.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=int(os.environ.get("LABCTL_STANDIN_JOBS", "3")),
        help="independent images built in parallel (default: %(default)s)",
    )
    ap.add_argument(
        "-v", "--verbose", action="store_true", help="show build output instead of writing it to log files only"
    )
    ap.add_argument(
        "--podman",
        default=os.environ.get("LABCTL_STANDIN_PODMAN", "podman"),
        help="podman command to use (default: %(default)s; env LABCTL_STANDIN_PODMAN)",
    )
    ap.add_argument(
        "--log-dir",
        type=Path,
        default=Path(
            os.environ.get("LABCTL_STANDIN_LOG_DIR", Path(tempfile.gettempdir()) / f"labctl-standin-logs-{os.getuid()}")
        ),
        help="where build logs go (default: %(default)s)",
    )
    args = ap.parse_args(argv)

    podman = Podman(shlex.split(args.podman))
    if shutil.which(podman.cmd[0]) is None:
        print(f"build.py: {podman.cmd[0]} not found", file=sys.stderr)
        return 2
    recipes = load_recipes()
    unknown = [n for n in args.names if n not in recipes]
    if unknown:
        print(f"build.py: unknown image(s): {', '.join(unknown)}; available: {', '.join(recipes)}", file=sys.stderr)
        return 2
    selected = [recipes[n] for n in (args.names or recipes)]

    if args.list:
        for r in recipes.values():
            ok, current, _ = image_status(podman, r)
            state = "up to date" if ok else ("outdated tags" if current else "needs build")
            deps = f" (from {', '.join(d.name for d in r.deps)})" if r.deps else ""
            size = ""
            if ok:
                info = podman.inspect(r.tags[0])
                size = f", {human_size((info or {}).get('Size'))}"
            print(f"{r.name}: {state} (hash {r.hash[:12]}{size}){deps}")
            for t in r.tags:
                print(f"    {t}")
        return 0

    # Tags that merely point at an older build while another tag of the same
    # recipe has the current one are fixed by re-tagging, not rebuilding.
    status, replaced = {}, {}
    for r in recipes.values():
        ok, current, ids = image_status(podman, r)
        replaced[r.name] = [i for i in ids if i != current]
        if not ok and current and not args.force:
            for tag in r.tags:
                info = podman.inspect(tag)
                if info is None or info["Id"] != current:
                    podman.run("tag", current, tag)
            ok = True
        status[r.name] = (ok, current)

    # Decide what to build: selected images that are stale (or forced), plus
    # dependencies of those that are missing or stale.
    todo = set()

    def need(r, forced):
        if r.name in todo:
            return
        if forced or not status[r.name][0]:
            todo.add(r.name)
            for d in r.deps:
                if not status[d.name][0]:
                    need(d, False)

    for r in selected:
        need(r, args.force)

    for r in selected:
        if r.name not in todo:
            say(f"{r.name}: up to date (hash {r.hash[:12]})")

    if not todo:
        remove_replaced(podman, [i for r in reversed(recipes.values()) for i in replaced[r.name]])
        return 0

    if any((recipes[n].dir / "rootfs.sh").is_file() for n in todo) and not shutil.which("mmdebstrap"):
        print(
            "build.py: mmdebstrap is needed to build "
            + ", ".join(n for n in todo if (recipes[n].dir / "rootfs.sh").is_file())
            + " (apt-get install mmdebstrap)",
            file=sys.stderr,
        )
        return 2
    args.log_dir.mkdir(parents=True, exist_ok=True)
    order = [r for r in recipes.values() if r.name in todo]
    done, failed, skipped = {}, {}, []
    t0 = time.monotonic()

    pending = list(order)
    running = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        while pending or running:
            for r in list(pending):
                blocking = [d for d in r.deps if d.name in todo and d.name not in done]
                if any(d.name in failed or d.name in skipped for d in blocking):
                    pending.remove(r)
                    skipped.append(r.name)
                    say(f"{r.name}: SKIPPED (dependency failed)")
                    continue
                if blocking:
                    continue
                pending.remove(r)
                if args.verbose:
                    say(f"{r.name}: building (hash {r.hash[:12]}) ...")
                running[pool.submit(build, podman, r, args.log_dir, args.verbose)] = r
            if not running:
                break
            finished, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
            for fut in finished:
                r = running.pop(fut)
                try:
                    secs = fut.result()
                except Exception as e:
                    failed[r.name] = str(e)
                    say(f"{r.name}: FAILED: {e}")
                    tail = log_tail(args.log_dir / f"{r.name}.log")
                    if tail and not args.verbose:
                        say(tail)
                    continue
                done[r.name] = secs
                info = podman.inspect(r.tags[0])
                size = human_size((info or {}).get("Size"))
                say(f"{r.name}: built in {secs:.1f}s (hash {r.hash[:12]}, {size}; {', '.join(r.tags)})")

    # Images replaced by this run are now untagged: remove them.
    remove_replaced(
        podman,
        [
            i
            for r in reversed(recipes.values())
            for i in replaced[r.name] + ([status[r.name][1]] if r.name in done else [])
            if i
        ],
    )

    total = time.monotonic() - t0
    if failed or skipped:
        print(
            f"build.py: FAILED after {total:.1f}s: {', '.join(list(failed) + skipped)} (logs in {args.log_dir})",
            file=sys.stderr,
        )
        return 1
    say(f"all images built in {total:.1f}s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:  # e.g. `build.py --list | head`
        sys.exit(0)
