"""`python -m thidua.lib.lan`: this machine's address on the local network, for the QR codes that
delegates' phones scan at the venue. Reads the interfaces' addresses; sends nothing on the network."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import subprocess
import sys


def _candidates() -> list[str]:
    found: list[str] = []
    try:
        command = ["hostname", "-I"]  # Linux: every address of every interface, no name lookup
        output = subprocess.run(command, capture_output=True, text=True, timeout=3, check=False).stdout  # noqa: S603
        found += output.split()
    except (OSError, subprocess.SubprocessError):
        pass
    with contextlib.suppress(OSError):
        found += [str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    return found


def lan_address(candidates: list[str]) -> str | None:
    """The first private IPv4 address (a venue's Wi-Fi hands out 192.168.x, 10.x or 172.16–31.x)."""
    for candidate in candidates:
        try:
            address = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        if (
            address.version == 4
            and address.is_private
            and not address.is_loopback
            and not address.is_link_local
        ):
            return str(address)
    return None


if __name__ == "__main__":
    found = lan_address(_candidates())
    if found is None:
        print("127.0.0.1")
        print("Không tìm thấy địa chỉ mạng nội bộ; điện thoại sẽ không vào được.", file=sys.stderr)
    else:
        print(found)
