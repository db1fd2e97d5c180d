"""Contract fuzzing: schemathesis generates requests for every operation of the published schema, valid
and invalid, sends them through the whole Django stack (middleware, auth, views, database), and checks
each answer: no server error, and status, content type, headers and body as the schema declares.

It runs twice, with a parent-body staff token and with an officer's, so both the allowed and the refused
paths of every operation are fuzzed. In-process (WSGI), inside the test's transaction: what the fuzzer
writes is rolled back like any test's writes.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def _load() -> Any:
    # Loaded when the module is collected (Django is set up by then; the schema view reads no table).
    # Not through schemathesis's lazy fixture loader, which does not run under this pytest version.
    from config.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/openapi.json", application)


schema = _load()


@pytest.fixture(autouse=True)
def _connection_kept_across_requests() -> Any:
    """The WSGI app is called directly, not through Django's test client, so its end-of-request signal
    would close the test's database connection in the middle of the test's transaction (PostgreSQL
    then refuses to open another inside it). Django's test client unhooks the same handler."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _bearer(username: str, token_for: Any) -> dict[str, str]:
    from thidua.accounts.models import User

    return {"Authorization": f"Bearer {token_for(User.objects.get(username=username))}"}


# One token per test, shared by its examples (hence the function-scoped fixture health check is off).
@pytest.fixture
def staff_bearer(token_for: Any) -> dict[str, str]:
    return _bearer("vusta", token_for)


@pytest.fixture
def officer_bearer(token_for: Any) -> dict[str, str]:
    # Ninh Bình's officer: its 2026 sheet is a draft, so the fuzzer's writes reach the scoring service.
    return _bearer("ninhbinh", token_for)


FUZZ_SETTINGS = settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
    ],
)


@pytest.mark.contract
@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_every_operation_keeps_its_contract_for_parent_body_staff(
    case: Any, staff_bearer: dict[str, str]
) -> None:
    case.call_and_validate(headers=staff_bearer, checks=CHECKS)


@pytest.mark.contract
@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_every_operation_keeps_its_contract_for_a_members_officer(
    case: Any, officer_bearer: dict[str, str]
) -> None:
    case.call_and_validate(headers=officer_bearer, checks=CHECKS)
