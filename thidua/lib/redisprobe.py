"""`python -m thidua.lib.redisprobe URL`: exit 0 when a Redis server answers at URL.

`make test` uses it to run the PostgreSQL pass with the shared cache a production setup has.
"""

from __future__ import annotations

import socket
import sys
from urllib.parse import urlsplit


def answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=3) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(0 if answers(sys.argv[1]) else 1)
