"""Both certificate stores behind one fixture: a private folder, and S3 on a real `moto_server`."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import CertificateStore, LocalFolderStore, S3Store
from tests.conftest import require

MOTO_SERVER = Path(sys.executable).parent / "moto_server"
S3_ACCESS_KEY = "muster-test"
S3_SECRET_KEY = "muster-test-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("moto_server did not start listening in time")


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real S3 HTTP endpoint: moto_server from the venv, on a free port, for the whole session."""
    require(MOTO_SERVER.exists(), "moto_server (pip install 'moto[server]')")
    port = free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - a fixed executable from our own venv
        [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        _wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def bucket() -> str:
    """A bucket name of the test's own, never created beforehand: the store must create it."""
    return f"muster-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path, bucket: str) -> CertificateStore:
    if request.param == "local":
        return LocalFolderStore(tmp_path / "store")
    endpoint = request.getfixturevalue("s3_endpoint")
    return S3Store(endpoint, S3_ACCESS_KEY, S3_SECRET_KEY, bucket)
