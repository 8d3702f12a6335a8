"""A single-node Apache Kafka broker in KRaft mode, fetched from Maven Central, run locally.

Its data lives under a project-local directory, so a restart keeps every topic. Every
failure a person can meet (Java or Maven missing, started twice, port taken, not running)
raises ``KafkaStackError`` with a message that says what to do.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = ["KAFKA_VERSION", "KafkaStackError", "LocalKafka"]

KAFKA_VERSION = "4.1.1"

# Brokers this process started, so that stopping one also reaps it.
_children: dict[int, "subprocess.Popen[bytes]"] = {}


class KafkaStackError(RuntimeError):
    """A local-broker problem explained for a person, not a stack trace."""


@dataclass(frozen=True)
class LocalKafka:
    home: Path
    port: int = 9092
    controller_port: int = 9093
    version: str = KAFKA_VERSION

    def __post_init__(self) -> None:
        # Maven and java resolve relative paths against other directories than ours.
        object.__setattr__(self, "home", self.home.resolve())

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def _libs(self) -> Path:
        return self.home / f"libs-{self.version}"

    @property
    def _pidfile(self) -> Path:
        return self.home / "broker.pid"

    @property
    def logfile(self) -> Path:
        return self.home / "broker.log"

    def fetch(self) -> None:
        """Resolve the broker jars with Maven once; later calls find them in place."""
        if (self._libs / f"kafka_2.13-{self.version}.jar").exists():
            return
        mvn = _require_tool("mvn", "Maven is needed once to fetch Kafka: apt-get install maven")
        self.home.mkdir(parents=True, exist_ok=True)
        pom = self.home / "pom.xml"
        template = resources.files("devstack").joinpath("kafka-pom.xml").read_text()
        pom.write_text(template.replace("@KAFKA_VERSION@", self.version))
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [
                mvn,
                "-q",
                "-B",
                "-f",
                str(pom),
                "dependency:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={self._libs}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise KafkaStackError(
                f"Maven could not fetch Kafka {self.version}:\n{result.stdout[-2000:]}"
            )

    def running_pid(self) -> int | None:
        try:
            pid = int(self._pidfile.read_text())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _process_alive(pid) else None

    def start(self, timeout: float = 90.0) -> None:
        if (pid := self.running_pid()) is not None:
            raise KafkaStackError(f"Kafka is already running (pid {pid}) on {self.bootstrap}")
        for port in (self.port, self.controller_port):
            if _port_in_use(port):
                raise KafkaStackError(
                    f"port {port} is in use by another process; stop it or choose other ports"
                )
        java = _require_tool(
            "java", "Java 17+ is needed to run Kafka: apt-get install openjdk-17-jre"
        )
        self.fetch()
        self._write_config()
        if not (self.home / "data" / "meta.properties").exists():
            self._format_storage(java)
        self._launch(java)
        self._wait_until_serving(timeout)

    def stop(self, timeout: float = 60.0) -> None:
        pid = self.running_pid()
        if pid is None:
            raise KafkaStackError(f"Kafka is not running (no live broker under {self.home})")
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _process_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _process_alive(pid):
            os.killpg(pid, signal.SIGKILL)
        if (child := _children.pop(pid, None)) is not None:
            child.wait()
        self._pidfile.unlink(missing_ok=True)

    def _write_config(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        log4j = resources.files("devstack").joinpath("kafka-log4j2.xml").read_text()
        (self.home / "log4j2.xml").write_text(log4j)
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.bootstrap.servers": f"127.0.0.1:{self.controller_port}",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},"
            f"CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": str(self.home / "data"),
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            # Topics are created on purpose with their partition counts, never by accident.
            "auto.create.topics.enable": "false",
            "num.partitions": "1",
        }
        lines = [f"{key}={value}" for key, value in settings.items()]
        (self.home / "server.properties").write_text("\n".join(lines) + "\n")

    def _java_command(self, java: str, main_class: str, *args: str) -> list[str]:
        return [
            java,
            "-Xms256m",
            "-Xmx512m",
            f"-Dlog4j2.configurationFile={self.home / 'log4j2.xml'}",
            "-cp",
            f"{self._libs}/*",
            main_class,
            *args,
        ]

    def _format_storage(self, java: str) -> None:
        properties = str(self.home / "server.properties")
        cluster_id = (
            subprocess.run(  # noqa: S603
                self._java_command(java, "kafka.tools.StorageTool", "random-uuid"),
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        result = subprocess.run(  # noqa: S603
            self._java_command(
                java,
                "kafka.tools.StorageTool",
                "format",
                "--standalone",
                "-t",
                cluster_id,
                "-c",
                properties,
            ),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise KafkaStackError(
                f"formatting Kafka storage failed:\n{result.stdout}{result.stderr}"
            )

    def _launch(self, java: str) -> None:
        command = self._java_command(java, "kafka.Kafka", str(self.home / "server.properties"))
        with self.logfile.open("ab") as log:
            process = subprocess.Popen(  # noqa: S603
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        _children[process.pid] = process
        self._pidfile.write_text(str(process.pid))

    def _wait_until_serving(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid = self.running_pid()
            if pid is None:
                raise KafkaStackError(f"Kafka exited during start-up:\n{self._log_tail()}")
            if _port_in_use(self.port) and _broker_answers(self.bootstrap):
                return
            time.sleep(0.3)
        raise KafkaStackError(f"Kafka did not start within {timeout:.0f}s:\n{self._log_tail()}")

    def _log_tail(self, size: int = 3000) -> str:
        try:
            with self.logfile.open("rb") as log:
                log.seek(max(0, log.seek(0, os.SEEK_END) - size))
                return log.read().decode(errors="replace")
        except FileNotFoundError:
            return ""


def _broker_answers(bootstrap: str) -> bool:
    from kafka import KafkaAdminClient  # kafka-python; imported late to keep the CLI fast
    from kafka.errors import KafkaError

    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    except KafkaError:
        return False
    try:
        admin.describe_cluster()
        return True
    except KafkaError:
        return False
    finally:
        admin.close()


def _require_tool(name: str, advice: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise KafkaStackError(f"'{name}' was not found on PATH. {advice}")
    return path


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except (OSError, IndexError):
        return False


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
