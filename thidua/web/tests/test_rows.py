from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from thidua.web import rows

ADD = "SELECT %s::int + %s::int"

# Decided before any fixture runs: the last test's fixtures reload the demo, for nothing on SQLite.
pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="PREPARE and EXECUTE are PostgreSQL's"
)


def _add(name: str, a: int, b: int) -> int:
    with connection.cursor() as cursor:
        rows.execute_prepared(cursor, name, ADD, [a, b])
        return int(cursor.fetchone()[0])


@pytest.mark.django_db
def test_a_prepared_statement_is_prepared_once_per_database_session_then_executed() -> None:
    with CaptureQueriesContext(connection) as queries:
        assert _add("thidua_test_add_once", 1, 2) == 3
        assert _add("thidua_test_add_once", 40, 2) == 42
    statements = [q["sql"] for q in queries.captured_queries]
    assert [s.split()[0] for s in statements] == ["PREPARE", "EXECUTE", "EXECUTE"]


@pytest.mark.django_db
def test_a_statement_gone_inside_a_transaction_is_an_error_not_a_silent_retry() -> None:
    assert _add("thidua_test_add_gone", 1, 1) == 2
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE thidua_test_add_gone")
    with pytest.raises(DatabaseError):
        _add("thidua_test_add_gone", 1, 1)


def test_a_statement_a_pooler_dropped_is_prepared_again_outside_a_transaction(
    transactional_db: Any, demo_restored_after_module: None
) -> None:
    assert _add("thidua_test_add_again", 2, 3) == 5
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE thidua_test_add_again")  # as a pooler handing out another session
    assert _add("thidua_test_add_again", 2, 3) == 5
