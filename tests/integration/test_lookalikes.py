"""The look-alike images behave like the course's images in every way the exercises rely on."""

import subprocess

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.podman


def test_lookalike_images_pass_their_smoke_test():
    proc = subprocess.run(
        ["bash", str(ROOT / "tests" / "lookalikes" / "smoke-test.sh")], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "all checks passed" in proc.stdout
