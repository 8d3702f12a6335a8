"""The system as `make run` runs it, on free loopback ports: intake, router, notifier worker and
notifier front as real processes started through the `safeguard` command, with the Twilio
stand-in and an SMTP mailbox in the test process as the phones and the mail server. Tests talk
to it over HTTP only, as a source system, a phone and an ops client would."""

import copy
import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from contracts.topics import ALERT_COMMANDS, ALERT_DISPATCH, ALERTS_REQUESTED, INCIDENTS
from devstack.mailbox import Mailbox
from devstack.prometheus import ScrapeTarget
from devstack.twilio_settings import Behaviour, StandinSettings
from devstack.twilio_standin import create_app as create_standin
from tests.integration.kafka_reader import commit_group_at_end
from tests.integration.processes import ROOT, ServiceProcess
from tests.integration.servers import BackgroundServer, free_port

T = TypeVar("T")

HELPLINE = {"Authorization": "Bearer dev-helpline-key"}  # a development key of sources.yaml
OPS_KEY = "e2e-ops-key"
OPS = {"Authorization": f"Bearer {OPS_KEY}"}
DRILL_DESK = "+842000000099"  # drill_recipient in config/dienbien/rosters.yaml
ACK_LINK = re.compile(r"https?://\S+/ack/[A-Za-z0-9_-]+")

# The README's first incident: a drill, so every message goes to the drill desk.
DRILL_INCIDENT: dict[str, Any] = {
    "sent": "2026-11-29T08:15:00+07:00",
    "status": "Exercise",
    "category": "physical_abuse",
    "severity": "Severe",
    "urgency": "Immediate",
    "certainty": "Likely",
    "area": {"geocode": "03127"},
    "child": {"age": 9, "sex": "female"},
    "flags": {"immediate_danger": True, "needs_shelter": True},
}


@dataclass
class System:
    intake: ServiceProcess
    router: ServiceProcess
    notifier: ServiceProcess
    front: ServiceProcess
    standin: BackgroundServer

    def scrape_targets(self) -> list[ScrapeTarget]:
        """Named as the cluster's jobs, which the availability alert rules match on."""
        services = (self.intake, self.router, self.notifier, self.front)
        return [
            ScrapeTarget(f"safeguard-{service.command}", service.web_url.removeprefix("http://"))
            for service in services
        ]

    def post_incident(self, body: dict[str, Any]) -> str:
        """Posts a copy of `body` under a fresh identifier; returns the incident id."""
        body = {**copy.deepcopy(body), "identifier": f"E2E-{uuid.uuid4().hex[:10]}"}
        response = httpx.post(f"{self.intake.web_url}/v1/incidents", json=body, headers=HELPLINE)
        assert response.status_code == 202, response.text
        incident_id: str = response.json()["incident_id"]
        return incident_id

    def alerts(self, incident_id: str) -> list[dict[str, Any]]:
        """The incident's alerts as the notifier front's ops API lists them."""
        response = httpx.get(
            f"{self.front.web_url}/v1/alerts", params={"incident": incident_id}, headers=OPS
        )
        response.raise_for_status()
        alerts: list[dict[str, Any]] = response.json()["alerts"]
        return alerts

    def notified_alerts(self, incident_id: str) -> list[dict[str, Any]]:
        return wait_for(
            lambda: (
                found
                if (found := self.alerts(incident_id)) and all(a["facts"] for a in found)
                else None
            ),
            what=f"the alerts of {incident_id} in the ops API",
        )

    def messages_to(self, phone: str, reference: str, count: int) -> list[dict[str, Any]]:
        def probe() -> list[dict[str, Any]] | None:
            inbox = httpx.get(f"{self.standin.url}/_standin/inbox/{phone}").json()
            found = [message for message in inbox if reference in message["body"]]
            return found if len(found) >= count else None

        return wait_for(probe, what=f"{count} SMS about {reference} at {phone}")


def ack_link(message: dict[str, Any]) -> str:
    match = ACK_LINK.search(str(message["body"]))
    assert match, message["body"]
    return match.group(0)


def wait_for(probe: Callable[[], T | None], timeout: float = 30.0, what: str = "") -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (found := probe()) is not None:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what or probe}")


@contextmanager
def running_system(bootstrap: str, folder: Path) -> Iterator[System]:
    front_port = free_port()
    front_url = f"http://127.0.0.1:{front_port}"
    mailbox = Mailbox(tls=False)
    standin_settings = StandinSettings(
        behaviour=Behaviour(
            default_receipt="delivered",
            inbound_sms_url=f"{front_url}/webhooks/twilio/sms",
            callback_delay_seconds=0.05,
        )
    )
    with ExitStack() as stack:
        mailbox.start()
        stack.callback(mailbox.stop)
        standin = stack.enter_context(BackgroundServer(create_standin(standin_settings)))
        environment = _environment(bootstrap, folder, front_url, standin.url, mailbox.port)
        _start_after_what_earlier_tests_left(bootstrap, environment)

        def started(command: str, port: int, *arguments: str) -> ServiceProcess:
            log = folder / f"{command}.log"
            process = ServiceProcess(command, environment, port, log, arguments)
            return stack.enter_context(process)

        intake_port = free_port()
        yield System(
            intake=started("intake", intake_port, "--port", str(intake_port)),
            router=started("router", int(environment["SAFEGUARD_ROUTER_WEB_PORT"])),
            notifier=started("notifier", int(environment["SAFEGUARD_NOTIFIER_WEB_PORT"])),
            front=started("notifier-api", front_port, "--port", str(front_port)),
            standin=standin,
        )


def _environment(
    bootstrap: str, folder: Path, front_url: str, standin_url: str, smtp_port: int
) -> dict[str, str]:
    run = uuid.uuid4().hex[:8]
    return {
        "SAFEGUARD_KAFKA_BOOTSTRAP": bootstrap,
        "SAFEGUARD_CONFIG_DIR": str(ROOT / "config/dienbien"),
        "SAFEGUARD_SOURCES_FILE": str(ROOT / "config/sources.yaml"),
        "SAFEGUARD_PUBLIC_BASE_URL": front_url,
        "SAFEGUARD_LINK_SECRET": f"e2e-link-secret-{uuid.uuid4().hex}",
        "SAFEGUARD_OPS_API_KEYS_SHA256": json.dumps([hashlib.sha256(OPS_KEY.encode()).hexdigest()]),
        "SAFEGUARD_TWILIO_BASE_URL": standin_url,
        "SAFEGUARD_SMS_PER_SECOND": "50",
        "SAFEGUARD_SMTP_PORT": str(smtp_port),
        "SAFEGUARD_SMTP_STARTTLS": "false",
        "SAFEGUARD_ROUTER_APP_ID": f"e2e-router-{run}",
        "SAFEGUARD_ROUTER_WEB_PORT": str(free_port()),
        "SAFEGUARD_ROUTER_DATA_DIR": str(folder / "router"),
        "SAFEGUARD_NOTIFIER_APP_ID": f"e2e-notifier-{run}",
        "SAFEGUARD_NOTIFIER_WEB_PORT": str(free_port()),
        "SAFEGUARD_NOTIFIER_DATA_DIR": str(folder / "notifier"),
    }


def _start_after_what_earlier_tests_left(bootstrap: str, environment: dict[str, str]) -> None:
    commit_group_at_end(bootstrap, environment["SAFEGUARD_ROUTER_APP_ID"], [INCIDENTS.name])
    commit_group_at_end(
        bootstrap,
        environment["SAFEGUARD_NOTIFIER_APP_ID"],
        [ALERTS_REQUESTED.name, ALERT_COMMANDS.name, ALERT_DISPATCH.name],
    )
