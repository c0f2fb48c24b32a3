"""A port for a test's own server, chosen below the machine's ephemeral range.

Binding port 0 hands out an ephemeral port, and releasing it at once lets any process that binds port 0 next
take it: a Jupyter kernel starting on the other test worker does, and the server started seconds later finds
its port taken. Ports below the range are never handed out that way."""
from __future__ import annotations

import random
import socket
from pathlib import Path

LOW, HIGH = 20000, 32768  # Linux's ephemeral range starts at 32768 by default


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return HIGH


def free_port() -> int:
    """A port nobody listens on, outside the ephemeral range when the machine leaves room below it."""
    high = min(HIGH, _ephemeral_low())
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.randrange(LOW, high) if high > LOW + 100 else 0
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError("no free port found for a test server")
