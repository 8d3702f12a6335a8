"""Incident bodies for intake tests: unique identifiers, so runs never collide on a kept topic."""

import copy
import uuid
from typing import Any

from contracts.incident import IncidentV1

HELPLINE = {"Authorization": "Bearer dev-helpline-key"}
EXAMPLE: dict[str, Any] = IncidentV1.model_json_schema()["examples"][0]


def new_incident(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(EXAMPLE)
    body["identifier"] = f"TEST-{uuid.uuid4().hex[:12]}"
    body.update(changes)
    return body
