"""Runs a Safeguard service (`safeguard router`, `safeguard intake --port N`, ...) as a real
process, the way it runs in production, so a test can stop it gently or kill it."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import httpx

ROOT = Path(__file__).resolve().parents[2]


class ServiceProcess:
    def __init__(
        self,
        command: str,
        environment: dict[str, str],
        web_port: int,
        log: Path,
        arguments: Sequence[str] = (),
    ) -> None:
        self.command = command
        self._argv = [sys.executable, "-m", "services.cli", command, *arguments]
        self._environment = {**os.environ, **environment}
        self.web_url = f"http://127.0.0.1:{web_port}"
        self.log = log
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90.0) -> None:
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                self._argv, env=self._environment, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"{self.command} exited:\n{self.log.read_text()[-3000:]}")
            if self._ready():
                return
            time.sleep(0.3)
        raise RuntimeError(
            f"{self.command} not ready in {timeout}s:\n{self.log.read_text()[-3000:]}"
        )

    def _ready(self) -> bool:
        try:
            return httpx.get(f"{self.web_url}/readyz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def kill(self) -> None:
        """SIGKILL: no shutdown, no final commit, as in a crash."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()

    def metrics(self) -> str:
        return httpx.get(f"{self.web_url}/metrics", timeout=5).text

    def __enter__(self) -> "ServiceProcess":
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
