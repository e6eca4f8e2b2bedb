"""`--dev-addr HOST:PORT`: read it, and tell whether it stays on this machine."""

from __future__ import annotations

import ipaddress
import socket

from ..errors import PlaybookError

EXAMPLE = "e.g. 127.0.0.1:8000 or localhost:8000"


def parse_dev_addr(text: str) -> tuple[str, int]:
    """(host, port) from HOST:PORT or [IPv6]:PORT; raise PlaybookError naming the form."""
    host, sep, port = text.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise PlaybookError.at(
            "--dev-addr", f"{text!r} is not HOST:PORT with a port from 1 to 65535", EXAMPLE
        )
    return host, int(port)


def is_loopback(host: str) -> bool:
    """True when every address `host` names is this machine's own (127.0.0.1, ::1, localhost).

    A host name that does not resolve raises PlaybookError: serving on it would fail anyway.
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError) as exc:
        raise PlaybookError.at(
            "--dev-addr", f"cannot resolve the host name {host!r} ({exc})", EXAMPLE
        ) from None
    return all(ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback for info in found)
