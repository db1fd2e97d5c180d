"""`python -m thidua.lib.pgprobe URL`: exit 0 when a PostgreSQL server answers at URL.

`make test` uses it to decide whether to run the suite a second time on PostgreSQL.
"""

from __future__ import annotations

import sys
from urllib.parse import urlsplit


def answers(url: str) -> bool:
    try:
        import psycopg
    except ImportError:
        return False
    parts = urlsplit(url)
    try:
        with psycopg.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password or None,
            dbname="postgres",
            connect_timeout=3,
        ):
            return True
    except psycopg.Error:
        return False


if __name__ == "__main__":
    sys.exit(0 if answers(sys.argv[1]) else 1)
