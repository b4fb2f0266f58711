#!/usr/bin/env python3
"""Size of a product-only labctl install, and how long `labctl --version` takes to start.

    bench/install_size.py [--python PYTHON] [--runs N] [--keep] [SPEC ...]

Makes a fresh venv in a temporary folder with PYTHON (default: Debian's /usr/bin/python3, as
scripts/install does), `pip install`s SPEC into it (default: this checkout, without the test tools),
prints the venv's size on disk in MB (as `du -sm` counts it) and the median wall time of N runs of
`labctl --version` (after one warm-up run), then removes the venv (unless --keep).
To compare with another install, pass it as SPEC, e.g. an older checkout's folder, or a list of
pinned packages followed by this checkout. Run by hand; not part of the test suite.
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def disk_mb(folder: Path) -> float:
    """Space the folder's files take on disk, in MiB (what `du -sm` counts; hard links once)."""
    seen: set[tuple[int, int]] = set()
    blocks = 0
    for path in [folder, *folder.rglob("*")]:
        st = path.lstat()
        if (st.st_dev, st.st_ino) in seen:
            continue
        seen.add((st.st_dev, st.st_ino))
        blocks += st.st_blocks
    return blocks * 512 / 2**20


def startup_seconds(labctl: Path, runs: int) -> list[float]:
    subprocess.run([str(labctl), "--version"], check=True, capture_output=True)  # warm-up: .pyc, page cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([str(labctl), "--version"], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
    parser.add_argument("--python", default=default_python, help=f"interpreter for the venv (default {default_python})")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of `labctl --version` (default 5)")
    parser.add_argument("--keep", action="store_true", help="leave the venv in place and print where it is")
    parser.add_argument("spec", nargs="*", help="what to pip install (default: this checkout)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="labctl-install-size-"))
    venv = tmp / "venv"
    try:
        subprocess.run([args.python, "-m", "venv", str(venv)], check=True)
        start = time.perf_counter()
        pip = [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, *(args.spec or [str(ROOT)])], check=True)
        install_s = time.perf_counter() - start
        size = disk_mb(venv)
        times = startup_seconds(venv / "bin" / "labctl", args.runs)
        version = subprocess.run([str(venv / "bin" / "labctl"), "--version"], capture_output=True, text=True).stdout
        core = subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import ansible.release as r; print(r.__version__)"],
            capture_output=True,
            text=True,
        ).stdout
        print(f"installed:           {version.strip()}, ansible-core {core.strip()} ({install_s:.0f} s to install)")
        print(f"venv size:           {size:.0f} MB")
        print(
            f"labctl --version:    median {statistics.median(times) * 1000:.0f} ms of {args.runs} runs "
            f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})"
        )
        if args.keep:
            print(f"venv kept in {venv}")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
