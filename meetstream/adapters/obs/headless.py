"""Start OBS Studio headless under Xvfb (Linux): for rehearsal and for the tests.

OBS 28–30.1 reads its websocket settings from ~/.config/obs-studio/global.ini, section
[OBSWebSocket]; 30.2 and newer from plugin_config/obs-websocket/config.json. Both are written,
into a throw-away HOME, so nothing leaks between runs and the officer's own OBS is untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from meetstream.errors import ObsError

# --multi: an OBS already running on the machine (the officer's own, another test run) must never
# stop this one at the "already running" dialog.
OBS_FLAGS = ["--minimize-to-tray", "--disable-shutdown-check", "--disable-updater", "--multi"]


# What an OBS that never opened its websocket says in its log, and what to tell the officer. The
# log is full of harmless errors (no camera, no PulseAudio, no dbus), so only these are read.
# "Warning: OBS is already running!" is the line OBS writes (the OBS log analyzer's checkDual
# looks for it); the others are OBS's and xvfb-run's own wording as seen on Debian.
WHY = (
    ("already running", "another OBS is running and this one stopped at the \"already running\" dialog (start it with --multi)"),
    ("xvfb-run: error", "Xvfb (the virtual screen) did not start: is xvfb installed, and is /tmp writable?"),
    ("Address already in use", "the websocket port is taken by another program"),
    ("Failed to initialize video", "OBS could not start its video (OpenGL): LIBGL_ALWAYS_SOFTWARE=1 and a working Mesa are needed"),
    ("Failed to create OpenGL context", "OBS could not get an OpenGL context: LIBGL_ALWAYS_SOFTWARE=1 and a working Mesa are needed"),
    ("could not connect to display", "OBS found no display (Xvfb did not come up)"),
    ("Safe Mode", "OBS stopped at its safe-mode question after an unclean exit"),
)


def why_not_started(log: str) -> str:
    """The reason OBS's own log gives for not coming up, or its last line when none is known."""
    for needle, reason in WHY:
        if needle.lower() in log.lower():
            return reason
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    return f"its log ends: {lines[-1][:200]!r}" if lines else "it wrote nothing to its log"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HeadlessObs:
    """`start()` returns once obs-websocket answers; `stop()` ends OBS and its Xvfb."""

    def __init__(self, home: Path, *, port: int | None = None, password: str = "meetstream-rehearsal", obs_binary: str = "obs"):
        self.home = Path(home)
        self.port = port or free_port()
        self.password = password
        self.obs_binary = obs_binary
        self.proc: subprocess.Popen | None = None
        self.log_path = self.home / "obs.log"
        self._log_from = 0  # where this start's part of the (appended) log begins

    def _write_config(self) -> None:
        import configparser

        cfg = self.home / ".config" / "obs-studio"
        cfg.mkdir(parents=True, exist_ok=True)
        # Keep what OBS itself saved (the current scene collection above all): a restart must come
        # back on the collection it was using, as an officer's OBS would.
        ini = configparser.ConfigParser(interpolation=None)
        ini.optionxform = str
        ini.read(cfg / "global.ini", encoding="utf-8")
        for section, values in {
            "General": {"FirstRun": "true"},
            "OBSWebSocket": {"FirstLoad": "false", "ServerEnabled": "true", "ServerPort": str(self.port),
                             "AuthRequired": "true", "ServerPassword": self.password, "AlertsEnabled": "false"},
        }.items():
            if not ini.has_section(section):
                ini.add_section(section)
            for k, v in values.items():
                ini.set(section, k, v)
        with open(cfg / "global.ini", "w", encoding="utf-8") as f:
            ini.write(f, space_around_delimiters=False)
        plugin = cfg / "plugin_config" / "obs-websocket"
        plugin.mkdir(parents=True, exist_ok=True)
        (plugin / "config.json").write_text(
            json.dumps({"server_enabled": True, "server_port": self.port, "auth_required": True,
                        "server_password": self.password, "first_load": False, "alerts_enabled": False})
        )
        os.chmod(cfg / "global.ini", 0o600)
        os.chmod(plugin / "config.json", 0o600)
        # OBS 32 ignores --disable-shutdown-check; a stale sentinel would open the safe-mode dialog.
        (cfg / ".sentinel").unlink(missing_ok=True)

    def start(self, wait: float = 60.0, *, collection: str | None = None) -> "HeadlessObs":
        """Start OBS; `collection` names the scene collection to open (OBS's --collection)."""
        for tool in (self.obs_binary, "xvfb-run"):
            if shutil.which(tool) is None:
                raise ObsError(f"{tool} is not installed (on Debian/Ubuntu: apt-get install obs-studio xvfb xauth)")
        self._write_config()
        env = dict(os.environ, HOME=str(self.home), LIBGL_ALWAYS_SOFTWARE="1", QT_QPA_PLATFORM="xcb")
        env.pop("DISPLAY", None)
        self.home.mkdir(parents=True, exist_ok=True)
        self._log_from = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            ["xvfb-run", "-a", "-s", "-screen 0 1280x720x24", self.obs_binary, *OBS_FLAGS,
             *(["--collection", collection] if collection else [])],
            cwd=self.home, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        self._wait_ready(wait)
        return self

    def _wait_ready(self, wait: float) -> None:
        from meetstream.adapters.obs.connection import ObsConnection

        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ObsError(f"OBS exited during start-up (code {self.proc.returncode}): {self._why()}; log: {self.log_path}")
            try:
                with ObsConnection("127.0.0.1", self.port, self.password, timeout=2):
                    return
            except ObsError:
                time.sleep(0.3)
        why = self._why()
        self.stop()
        raise ObsError(f"OBS did not open its websocket on port {self.port} within {wait:g}s: {why}; log: {self.log_path}")

    def _why(self) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(self._log_from)
                return why_not_started(f.read().decode("utf-8", errors="replace"))
        except OSError:
            return "its log could not be read"

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
            except ProcessLookupError:
                pass
        self.proc = None

    def kill(self) -> None:
        """As if OBS crashed: no clean shutdown."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def restart(self, wait: float = 60.0) -> "HeadlessObs":
        self.stop()
        return self.start(wait)

    def __enter__(self) -> "HeadlessObs":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
