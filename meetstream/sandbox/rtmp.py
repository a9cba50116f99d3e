"""A local RTMP ingest: nginx with the RTMP module, on loopback, in a folder of its own.

Stands in for YouTube's ingestion servers (rtmp://a.rtmp.youtube.com/live2). Publishes can be
reported to an HTTP callback (nginx-rtmp's on_publish / on_publish_done), which is how the
YouTube simulator learns that a stream key went active. `/stat` shows what is being published.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from meetstream.errors import MeetstreamError
from meetstream.adapters.obs.headless import free_port

MODULE_PATHS = ["/usr/lib/nginx/modules/ngx_rtmp_module.so", "/usr/lib64/nginx/modules/ngx_rtmp_module.so"]
APPLICATION = "live2"  # the same application path YouTube uses


class RtmpUnavailable(MeetstreamError):
    """nginx or its RTMP module is not installed."""


def nginx_available() -> bool:
    return shutil.which("nginx") is not None and any(Path(p).exists() for p in MODULE_PATHS)


class LocalRtmpServer:
    def __init__(self, root: Path, *, callback_url: str | None = None, rtmp_port: int | None = None, http_port: int | None = None):
        self.root = Path(root)
        self.callback_url = callback_url.rstrip("/") if callback_url else None
        self.rtmp_port = rtmp_port or free_port()
        self.http_port = http_port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def ingest_url(self) -> str:
        return f"rtmp://127.0.0.1:{self.rtmp_port}/{APPLICATION}"

    def play_url(self, key: str) -> str:
        return f"{self.ingest_url}/{key}"

    def _config(self) -> str:
        module = next(p for p in MODULE_PATHS if Path(p).exists())
        hooks = ""
        if self.callback_url:
            hooks = (
                f"            on_publish {self.callback_url}/on_publish;\n"
                f"            on_publish_done {self.callback_url}/on_publish_done;\n"
            )
        r = self.root
        return f"""load_module {module};
daemon off;
master_process off;
worker_processes 1;
pid {r}/nginx.pid;
error_log {r}/error.log warn;
events {{ worker_connections 64; }}
rtmp {{
    server {{
        listen 127.0.0.1:{self.rtmp_port};
        chunk_size 4096;
        application {APPLICATION} {{
            live on;
            record off;
            notify_method get;
{hooks}        }}
    }}
}}
http {{
    access_log off;
    client_body_temp_path {r}/tmp-body;
    proxy_temp_path {r}/tmp-proxy;
    fastcgi_temp_path {r}/tmp-fastcgi;
    uwsgi_temp_path {r}/tmp-uwsgi;
    scgi_temp_path {r}/tmp-scgi;
    server {{
        listen 127.0.0.1:{self.http_port};
        location /stat {{ rtmp_stat all; }}
    }}
}}
"""

    def start(self, wait: float = 10.0) -> "LocalRtmpServer":
        if not nginx_available():
            raise RtmpUnavailable("nginx with the RTMP module is not installed (Debian/Ubuntu: apt-get install nginx libnginx-mod-rtmp)")
        self.root.mkdir(parents=True, exist_ok=True)
        conf = self.root / "nginx.conf"
        conf.write_text(self._config())
        log = open(self.root / "nginx.out", "ab")
        self.proc = subprocess.Popen(
            ["nginx", "-c", str(conf), "-p", str(self.root)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RtmpUnavailable(f"nginx exited at start-up; see {self.root / 'error.log'}")
            try:
                with socket.create_connection(("127.0.0.1", self.rtmp_port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RtmpUnavailable(f"nginx did not listen on {self.rtmp_port} within {wait:g}s")

    def stat(self) -> str:
        """nginx-rtmp's XML statistics (what is published, bytes in, clients)."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/stat", timeout=5) as resp:
            return resp.read().decode()

    def publishing(self) -> list[str]:
        """Stream names currently being published."""
        import xml.etree.ElementTree as ET

        tree = ET.fromstring(self.stat())
        names = []
        for stream in tree.iter("stream"):
            if stream.find("publishing") is not None or any(c.find("publishing") is not None for c in stream.iter("client")):
                names.append(stream.findtext("name"))
        return names

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc = None

    def __enter__(self) -> "LocalRtmpServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
