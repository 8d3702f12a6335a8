"""Property-based requests generated from the OpenAPI document: no input makes a 5xx."""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.intake.incidents import HELPLINE
from tests.integration.servers import BackgroundServer


@pytest.mark.parametrize("path", ["/v1/incidents", "/v1/incidents:batch"])
def test_no_generated_request_gets_a_server_error(
    intake_server: BackgroundServer, path: str
) -> None:
    schema = schemathesis.openapi.from_url(f"{intake_server.url}/openapi.json")
    operation = schema[path]["POST"]
    strategy = st.one_of(
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE),
    )
    seen: set[int] = set()

    @given(case=strategy)
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case[Any]) -> None:
        response = case.call(base_url=intake_server.url, headers=HELPLINE, timeout=30)
        seen.add(response.status_code)
        assert response.status_code < 500, response.text

    check()
    assert seen & {202, 207}, f"no generated request reached Kafka: {sorted(seen)}"
