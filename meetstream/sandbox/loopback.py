"""Serving a simulator over HTTP on loopback, in a daemon thread: what both simulators share."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackServer:
    """Subclasses name their request handler (`_handler_class()`); each request's handler finds
    the simulator it serves as `self.simulator`. `start()` returns self."""

    host = "127.0.0.1"
    _port = 0
    thread_name = "simulator"
    _server: ThreadingHTTPServer | None = None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def start(self):
        base = self._handler_class()
        handler = type(base.__name__, (base,), {"simulator": self})
        self._server = ThreadingHTTPServer((self.host, self._port), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         name=self.thread_name, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"the {self.thread_name} is not running (call start())")
        return self._server.server_address[1]
