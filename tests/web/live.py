"""A real server for the browser tests: the app under uvicorn on a free port of 127.0.0.1."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def listening() -> tuple[socket.socket, str]:
    """A socket already listening on a free loopback port, and its base URL.

    The port is known before the app is made, so the config's base_url can point at it.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    return listener, f"http://127.0.0.1:{listener.getsockname()[1]}"


@contextmanager
def serving(app: Any, listener: socket.socket) -> Iterator[None]:
    """Serve `app` on `listener` in a thread until the block ends, then stop it."""
    import uvicorn

    # As `digest serve` runs it: X-Forwarded-* are digest's to read ([web] trusted_proxies).
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", proxy_headers=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()  # the socket already listens: requests queue until the loop serves them
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
    assert not thread.is_alive()
