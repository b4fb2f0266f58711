#!/usr/bin/env python3
"""Time getting the course's images onto a machine: bundle save and load, a mirror pull, look-alikes.

    bench/images.py [--repeat N] [--cold]      (as root; run alone: nothing else may use Podman meanwhile)

- `images save --all`: seconds and bundle size.
- `images load` into an empty rootless store (a throw-away user's, so root's store is untouched),
  then the same load again (already loaded: aim ≤ 2 s).
- A pull through the room's mirror (`host setup --registry-mirror`, a real registry on 127.0.0.1)
  against a direct `podman pull` of the same image from the same registry, both into that user's store.
- `images build-lookalikes` cached (aim ≤ 2 s) and, with --cold, forced (mmdebstrap and builds).
Results also go to bench/results/images-<date>.json.
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from tests.registry import local_registry  # noqa: E402

LABCTL = str(Path(sys.executable).parent / "labctl")
USER = "labctl-bench-images"
MIRRORED = "docker.io/library/nginx:alpine"


def timed(*argv: str, user: str | None = None) -> float:
    if user:
        argv = ("runuser", "-u", user, "--", "env", f"HOME=/home/{user}", *argv)
    started = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, cwd="/")
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.strip()[-400:]}")
    return time.monotonic() - started


def user_podman(*args: str) -> None:
    subprocess.run(
        ["runuser", "-u", USER, "--", "env", f"HOME=/home/{USER}", "podman", *args], capture_output=True, cwd="/"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cold", action="store_true", help="also time a forced look-alike build (about 2 minutes)")
    args = ap.parse_args()
    results: dict[str, object] = {}
    subprocess.run(["useradd", "--create-home", USER], capture_output=True)
    tun = Path("/dev/net/tun")
    mode = tun.stat().st_mode & 0o777
    tun.chmod(0o666)
    tmp = Path(tempfile.mkdtemp(prefix="labctl-bench-images-"))
    tmp.chmod(0o755)
    try:
        bundle = tmp / "course.tar"
        results["save_s"] = round(timed(LABCTL, "images", "save", "-o", str(bundle), "--all"), 1)
        results["bundle_mb"] = round(bundle.stat().st_size / 1e6, 1)
        cold, warm = [], []
        for _ in range(args.repeat):
            user_podman("system", "reset", "--force")
            cold.append(timed(LABCTL, "images", "load", str(bundle), "--lab-user", USER))
            warm.append(timed(LABCTL, "images", "load", str(bundle), "--lab-user", USER))
        results["load_empty_store_s"] = round(statistics.median(cold), 1)
        results["load_again_s"] = round(statistics.median(warm), 2)

        with local_registry() as registry:
            timed(LABCTL, "images", "push", registry.address, "--insecure", "ex1")
            timed(LABCTL, "host", "setup", "--registry-mirror", registry.address, "--insecure")
            try:
                direct, mirror = [], []
                path = MIRRORED.removeprefix("docker.io/")
                for _ in range(args.repeat):
                    user_podman("system", "reset", "--force")
                    direct.append(
                        timed("podman", "pull", "-q", "--tls-verify=false", f"{registry.address}/{path}", user=USER)
                    )
                    user_podman("system", "reset", "--force")
                    mirror.append(timed("podman", "pull", "-q", MIRRORED, user=USER))
                results["pull_direct_s"] = round(statistics.median(direct), 2)
                results["pull_through_mirror_s"] = round(statistics.median(mirror), 2)
            finally:
                timed(LABCTL, "host", "setup", "--no-registry-mirror")

        results["lookalikes_cached_s"] = round(
            statistics.median(timed(LABCTL, "images", "build-lookalikes", "--all") for _ in range(args.repeat)), 2
        )
        if args.cold:
            results["lookalikes_cold_s"] = round(timed(LABCTL, "images", "build-lookalikes", "--all", "--force"), 1)
    finally:
        user_podman("system", "reset", "--force")
        subprocess.run(["userdel", "--remove", USER], capture_output=True)
        tun.chmod(mode)
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(results, indent=2))
    out = HERE / "results" / f"images-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
