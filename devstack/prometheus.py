"""A local Prometheus for `make run` and the tests: Debian's binary (unpacked into .var/tools by
scripts/install-k8s-tools, or installed on the system), loaded with the alert rules the cluster
uses (the groups of deploy/k8s's PrometheusRule) and scraping every service of the stack."""

import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import yaml

__all__ = [
    "DEFAULT_PORT",
    "PROMETHEUS_RULE",
    "LocalPrometheus",
    "PrometheusError",
    "ScrapeTarget",
    "find_prometheus",
    "prometheus_config",
    "rule_groups",
]

ROOT = Path(__file__).resolve().parents[1]
PROMETHEUS_RULE = ROOT / "deploy/k8s/base/monitoring/prometheus-rule.yaml"
UNPACKED_BINARY = ROOT / ".var/tools/prometheus/usr/bin/prometheus"
DEFAULT_PORT = 9090


class PrometheusError(Exception):
    """Prometheus could not be started; the message says why in one line."""


@dataclass(frozen=True)
class ScrapeTarget:
    job: str  # as in the cluster (safeguard-intake, ...): the availability rules match on it
    address: str  # host:port serving /metrics


def find_prometheus() -> Path | None:
    """The unpacked Debian binary first (what the project installs), else one on the PATH."""
    if UNPACKED_BINARY.is_file():
        return UNPACKED_BINARY
    on_path = shutil.which("prometheus")
    return Path(on_path) if on_path else None


def rule_groups(prometheus_rule: Path = PROMETHEUS_RULE) -> dict[str, Any]:
    """A Prometheus rules file made of the PrometheusRule resource's groups."""
    resource = yaml.safe_load(prometheus_rule.read_text(encoding="utf-8"))
    return {"groups": resource["spec"]["groups"]}


def prometheus_config(
    targets: Sequence[ScrapeTarget], rules_file: Path, interval_seconds: float
) -> dict[str, Any]:
    if not rules_file.is_absolute():  # it would be read relative to the config file's folder
        raise ValueError(f"the rules file must be an absolute path, not {rules_file}")
    interval = f"{int(interval_seconds * 1000)}ms"
    return {
        "global": {"scrape_interval": interval, "evaluation_interval": interval},
        "rule_files": [str(rules_file)],
        "scrape_configs": [
            {"job_name": target.job, "static_configs": [{"targets": [target.address]}]}
            for target in targets
        ],
    }


class LocalPrometheus:
    """Writes its config and rules under `home`, then runs the binary on 127.0.0.1:`port`."""

    def __init__(
        self,
        binary: Path,
        home: Path,
        targets: Sequence[ScrapeTarget],
        port: int = DEFAULT_PORT,
        interval_seconds: float = 5.0,
    ) -> None:
        self.binary = binary
        self.home = home
        self.targets = tuple(targets)
        self.port = port
        self.interval_seconds = interval_seconds
        self.url = f"http://127.0.0.1:{port}"
        self.log = home / "prometheus.log"
        self._process: subprocess.Popen[bytes] | None = None

    def spawn(self) -> "subprocess.Popen[bytes]":
        """Starts Prometheus without waiting for it; its output goes to `log`."""
        try:
            config_file = self._write_configuration()
        except OSError as error:
            raise PrometheusError(f"cannot write its configuration: {error}") from error
        with self.log.open("ab") as log:
            try:
                self._process = subprocess.Popen(  # noqa: S603 - our own binary and arguments
                    [str(self.binary), *self._arguments(config_file)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            except OSError as error:
                raise PrometheusError(f"cannot run {self.binary}: {error.strerror}") from error
        return self._process

    def _write_configuration(self) -> Path:
        home = self.home.absolute()
        home.mkdir(parents=True, exist_ok=True)
        rules_file, config_file = home / "rules.yaml", home / "prometheus.yml"
        rules_file.write_text(yaml.safe_dump(rule_groups(), allow_unicode=True), encoding="utf-8")
        config = prometheus_config(self.targets, rules_file, self.interval_seconds)
        config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
        return config_file

    def _arguments(self, config_file: Path) -> list[str]:
        arguments = [
            f"--config.file={config_file}",
            f"--storage.tsdb.path={self.home / 'data'}",
            "--storage.tsdb.retention.time=2d",
            f"--web.listen-address=127.0.0.1:{self.port}",
        ]
        # Debian's binary serves its pages from /usr/share/prometheus/web unless told otherwise.
        assets = self.binary.parents[1] / "share/prometheus/web"
        if assets.is_dir():
            arguments.append(f"--web.local-assets={assets}")
        return arguments

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise PrometheusError(f"exited at start, see {self.log}")
            try:
                if httpx.get(f"{self.url}/-/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise PrometheusError(f"not ready on {self.url} in {timeout}s, see {self.log}")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def __enter__(self) -> "LocalPrometheus":
        self.spawn()
        try:
            self.wait_ready()
        except PrometheusError:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
