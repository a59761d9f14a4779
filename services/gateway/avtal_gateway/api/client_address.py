"""The client's address: the socket's peer, or what a trusted proxy says in X-Forwarded-For."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(proxies: Sequence[str]) -> list[Network]:
    return [ipaddress.ip_network(p, strict=False) for p in proxies]


def _trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in trusted)


def client_address(scope: Any, trusted: Sequence[Network]) -> str:
    """Walk X-Forwarded-For from the right while the hops are our proxies; anyone else's header is
    ignored, so a client cannot pick the address its attempts are counted under."""
    peer = (scope.get("client") or ("unknown", 0))[0]
    if not _trusted(peer, trusted):
        return peer
    headers = dict(scope.get("headers") or [])
    hops = [h.strip() for h in headers.get(b"x-forwarded-for", b"").decode("latin-1").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop[:64]
    return hops[0][:64] if hops else peer
