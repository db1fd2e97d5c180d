"""An acknowledged commit is on disk: SQLite in WAL with synchronous=FULL, PostgreSQL with synchronous
commits (DESIGN.md, Decisions; issue 7, part 5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.utils import ConnectionHandler


def test_sqlite_as_configured_writes_ahead_and_syncs_every_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, django_db_blocker: Any
) -> None:
    """The suite's own SQLite database lives in memory, so the settings are tried on a file."""
    from config import settings as project_settings

    monkeypatch.setenv("DATABASE_URL", "")
    monkeypatch.setenv("THIDUA_SQLITE_PATH", str(tmp_path / "thidua.sqlite3"))
    handler = ConnectionHandler({"default": project_settings._databases()["default"]})
    try:
        with django_db_blocker.unblock(), handler["default"].cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 2  # FULL
    finally:
        handler.close_all()


def test_postgresql_connections_ask_for_synchronous_commits_on_a_server_that_syncs(db: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the suite runs it in its PostgreSQL pass")
    assert "-c synchronous_commit=on" in connection.settings_dict["OPTIONS"]["options"]
    with connection.cursor() as cursor:
        for setting in ("synchronous_commit", "fsync", "full_page_writes"):
            cursor.execute(f"SHOW {setting}")
            assert cursor.fetchone()[0] == "on", setting
