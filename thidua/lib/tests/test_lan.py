from __future__ import annotations

import pytest

from thidua.lib.lan import lan_address


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        (["127.0.0.1", "192.168.1.20"], "192.168.1.20"),
        (["fe80::1", "10.0.0.5"], "10.0.0.5"),
        (["169.254.3.4", "172.16.0.9"], "172.16.0.9"),
        (["8.8.8.8", "not-an-ip"], None),
        ([], None),
    ],
)
def test_the_venue_address_is_the_first_private_ipv4_of_the_machine(
    candidates: list[str], expected: str | None
) -> None:
    assert lan_address(candidates) == expected
