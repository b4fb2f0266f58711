"""A real container registry on 127.0.0.1 for the tests and the bench: Debian's docker-registry package.

    with local_registry() as registry:
        registry.address      # "127.0.0.1:PORT", plain HTTP
        registry.catalog()    # repositories it holds
        registry.requests()   # the request lines it has logged ("GET /v2/library/alpine/manifests/latest")

It is stopped, and its storage removed, when the block ends, whatever happened inside.
"""

import contextlib
import json
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CONFIG = """version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: {root}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:{port}
"""


@dataclass
class Registry:
    address: str
    log: Path
    process: subprocess.Popen

    def _get(self, path: str) -> bytes:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
        with opener.open(f"http://{self.address}{path}", timeout=5) as reply:
            return reply.read()

    def catalog(self) -> list[str]:
        return json.loads(self._get("/v2/_catalog"))["repositories"]

    def requests(self) -> list[str]:
        text = self.log.read_text(errors="replace")
        return re.findall(r'"((?:GET|HEAD|PUT|POST|PATCH) /v2/[^ "]*)', text)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def local_registry(deadline: float = 30) -> Iterator[Registry]:
    if not shutil.which("docker-registry"):
        raise RuntimeError("docker-registry is not installed: apt-get install docker-registry (scripts/test does)")
    folder = Path(tempfile.mkdtemp(prefix="labctl-registry-"))
    port = free_port()
    (folder / "config.yml").write_text(CONFIG.format(root=folder / "data", port=port))
    log = folder / "registry.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            ["docker-registry", "serve", str(folder / "config.yml")], stdout=out, stderr=subprocess.STDOUT
        )
    registry = Registry(f"127.0.0.1:{port}", log, process)
    try:
        end = time.monotonic() + deadline
        while True:
            try:
                registry._get("/v2/")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > end:
                    raise RuntimeError(f"the registry did not start: {log.read_text()[-500:]}") from None
                time.sleep(0.1)
        yield registry
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)
