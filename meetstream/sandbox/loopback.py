"""Serving a simulator on loopback, in daemon threads: over HTTP (the Graph, YouTube and
modern.gov simulators), or over plain TCP (the chamber's microphone systems)."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


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


class TcpLoopback:
    """A TCP simulator: `start()` listens on a free loopback port and hands each connection to
    `_take(sock)` (under `_lock`), whose answer runs on the connection's own daemon thread;
    `stop()` closes the listener, and `_close_all()` (under `_lock`) the connections. Subclasses
    have `host`, `_server` (None until started) and `_lock` (an RLock)."""

    thread_name = "tcp-simulator"

    def _take(self, sock: socket.socket) -> Callable[[], None]:
        raise NotImplementedError

    def _close_all(self) -> None:
        raise NotImplementedError

    def start(self):
        self._server = socket.create_server((self.host, 0))
        threading.Thread(target=self._accept, args=(self._server,), name=self.thread_name, daemon=True).start()
        return self

    @property
    def port(self) -> int:
        return self._server.getsockname()[1]

    def stop(self) -> None:
        with self._lock:
            self._close_all()
        if self._server:
            self._server.close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                sock, _ = server.accept()
            except OSError:  # closed by stop()
                return
            with self._lock:
                serve = self._take(sock)
            threading.Thread(target=serve, daemon=True).start()
