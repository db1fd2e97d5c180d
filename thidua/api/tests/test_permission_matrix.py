"""Every API operation, for every persona: the status each must get. An operation (a method on a path
of the OpenAPI schema) or an `api:` URL without an entry here fails
`test_every_api_operation_has_an_entry_in_the_matrix`.

Personas, as in the web's matrix: anonymous (no token; a delegate's voting code opens no API either),
the officer of member A (Ninh Bình: its 2026 sheet is a draft; head of Cụm 4 in 2023), the officer of
member B (Nghệ An), the secretariat of 2026 (Quảng Trị's officer), the parent body's staff, the editor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from thidua.api.api import api

ANON, MEMBER_A, MEMBER_B, SECRETARIAT, STAFF, EDITOR = (
    "anonymous",
    "ninhbinh",
    "nghean",
    "quangtri",
    "vusta",
    "bientap",
)
ROLES = [ANON, MEMBER_A, MEMBER_B, SECRETARIAT, STAFF, EDITOR]

TOKEN_HOLDERS = {ANON: 401, MEMBER_A: 200, MEMBER_B: 200, SECRETARIAT: 200, STAFF: 200, EDITOR: 200}
YEAR_VIEWERS = {ANON: 401, MEMBER_A: 200, MEMBER_B: 200, SECRETARIAT: 200, STAFF: 200, EDITOR: 403}
SHEET_READERS = {ANON: 401, MEMBER_A: 200, MEMBER_B: 403, SECRETARIAT: 200, STAFF: 200, EDITOR: 403}
SHEET_WRITERS = {ANON: 401, MEMBER_A: 200, MEMBER_B: 403, SECRETARIAT: 403, STAFF: 403, EDITOR: 403}
PUBLIC = dict.fromkeys(ROLES, 200)

Y = "/api/groups/vusta-cum-4/years"
SHEET = f"{Y}/2026/self-scores/lhh-ninh-binh"

# (method, path as in the schema) → (concrete path, JSON body or None, expected status per persona)
MATRIX: dict[tuple[str, str], tuple[str, Any, dict[str, int]]] = {
    ("GET", "/api/me"): ("/api/me", None, TOKEN_HOLDERS),
    ("GET", "/api/parents/{parent_code}/groups"): ("/api/parents/vusta/groups", None, TOKEN_HOLDERS),
    # Groups' members and leadership are public on the web, so any token reads them.
    ("GET", "/api/groups/{slug}/years/{year}/memberships"): (f"{Y}/2026/memberships", None, TOKEN_HOLDERS),
    ("GET", "/api/groups/{slug}/years/{year}/leadership"): (f"{Y}/2026/leadership", None, TOKEN_HOLDERS),
    ("GET", "/api/groups/{slug}/years/{year}/agreements"): (f"{Y}/2026/agreements", None, YEAR_VIEWERS),
    ("GET", "/api/groups/{slug}/years/{year}/results"): (f"{Y}/2023/results", None, YEAR_VIEWERS),
    ("GET", "/api/groups/{slug}/years/{year}/polls"): (f"{Y}/2023/polls", None, YEAR_VIEWERS),
    ("GET", "/api/groups/{slug}/years/{year}/self-scores/{org_code}"): (SHEET, None, SHEET_READERS),
    ("PUT", "/api/groups/{slug}/years/{year}/self-scores/{org_code}/{criterion_code}"): (
        f"{SHEET}/1.2",
        {"value": "4,5"},
        SHEET_WRITERS,
    ),
    ("POST", "/api/groups/{slug}/years/{year}/self-scores/{org_code}"): (
        SHEET,
        {"scores": [{"criterion": "1.2", "value": "4"}]},
        SHEET_WRITERS,
    ),
}
MATRIX.update(
    {
        # An organization's awards are public on its page, so any token reads them; the list of a year
        # across all groups is the parent body's, as on the web.
        ("GET", "/api/organizations/{org_code}/awards"): (
            "/api/organizations/lhh-ninh-binh/awards",
            None,
            TOKEN_HOLDERS,
        ),
        ("GET", "/api/parents/{parent_code}/awards/{year}"): (
            "/api/parents/vusta/awards/2023",
            None,
            {ANON: 401, MEMBER_A: 403, MEMBER_B: 403, SECRETARIAT: 403, STAFF: 200, EDITOR: 403},
        ),
    }
)
# The API's pages that are not operations: its schema and docs are public (they hold no data); its
# root is not a page.
PAGES: dict[str, tuple[str, dict[str, int]]] = {
    "openapi-json": ("/api/openapi.json", PUBLIC),
    "openapi-view": ("/api/docs", PUBLIC),
    "api-root": ("/api/", dict.fromkeys(ROLES, 404)),
}
OPERATION_URL_NAMES = {
    "me",
    "list_groups",
    "list_memberships",
    "list_leadership",
    "list_agreements",
    "results",
    "published_polls",
    "get_sheet",
    "put_score",
    "post_scores",
    "organization_awards",
    "parent_awards",
}


def _api_url_names() -> set[str]:
    names: set[str] = set()
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "api":
            names |= {p.name for p in entry.url_patterns if getattr(p, "name", None)}
    return names


def test_every_api_operation_has_an_entry_in_the_matrix() -> None:
    operations = {
        (method.upper(), path)
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method in methods
    }
    assert operations - set(MATRIX) == set(), "API operations without a permission entry"
    assert set(MATRIX) - operations == set(), "entries for operations that no longer exist"
    assert _api_url_names() == OPERATION_URL_NAMES | set(PAGES)


@pytest.fixture
def caller_for(token_for: Callable[[Any], str]) -> Callable[[str], dict[str, str]]:
    from thidua.accounts.models import User

    def headers(role: str) -> dict[str, str]:
        if role == ANON:
            return {}
        return {"HTTP_AUTHORIZATION": f"Bearer {token_for(User.objects.get(username=role))}"}

    return headers


@pytest.mark.django_db
@pytest.mark.parametrize("operation", sorted(MATRIX), ids=" ".join)
@pytest.mark.parametrize("role", ROLES)
def test_each_operation_answers_each_persona_as_the_matrix_says(
    operation: tuple[str, str], role: str, caller_for: Callable[[str], dict[str, str]]
) -> None:
    import json

    path, body, expected = MATRIX[operation]
    method = operation[0].lower()
    client = Client()
    if body is None:
        response = getattr(client, method)(path, **caller_for(role))
    else:
        response = getattr(client, method)(
            path, json.dumps(body), content_type="application/json", **caller_for(role)
        )
    assert response.status_code == expected[role], response.content.decode()[:300]
    if response.status_code >= 400:
        error = response.json()["loi"]
        assert error["ma"] and error["thong_bao"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_the_apis_own_pages_answer_each_persona(
    name: str, role: str, caller_for: Callable[[str], dict[str, str]]
) -> None:
    path, expected = PAGES[name]
    assert Client().get(path, **caller_for(role)).status_code == expected[role]
