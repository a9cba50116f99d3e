"""Loopback: the hosts that never leave this machine.

Plain http, a token-less control API and the simulators' stand-in credentials are allowed only
on these hosts; everything else must be https, tokened, and real.
"""

from __future__ import annotations

LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


def is_loopback_host(host: str | None) -> bool:
    return host in LOOPBACK_HOSTS


def is_loopback_url(url: str | None) -> bool:
    if not url:
        return False
    from urllib.parse import urlsplit

    return is_loopback_host(urlsplit(url).hostname)
