"""The second-ingest relay: one ffmpeg process that takes OBS's stream on a local RTMP address and
pushes it, stream copied (no re-encode), to YouTube's primary and backup ingestion addresses.

    OBS ──rtmp://127.0.0.1:<port>/relay/<local key>──▶ ffmpeg -listen 1 ─┬─▶ primary (ingestionAddress)
                                                                      └─▶ backup  (backupIngestionAddress)

The two outputs are ffmpeg's tee muxer, each through its own fifo (`use_fifo=1`): a dead or slow
ingest fills only its own queue and drops its own packets, and `attempt_recovery` opens it again
when it comes back, without touching the other (`onfail=ignore`: one failed output never stops the
relay). Checked with ffmpeg 5.1 (Debian 12): killing one nginx-rtmp leaves the other receiving with no
gap in the frame timestamps; see tests/e2e/test_two_ingests.py.

The stream key goes on ffmpeg's command line as the `rtmp_playpath` option, never in an output's
URL, so ffmpeg's own messages (which name the URL) never carry it; every line read back is
scrubbed anyway (meetstream.secrets). The command line itself holds the key, as OBS's profile
file does: anyone who can read this PC's process list can see it.

The process is detached (its own session): `meetstream start` can exit and leave it running, and
the resident process (`serve`, `live`) finds it again from the state file beside the store
(pid, port, OBS's local key: nothing of YouTube's). Stopping is by that pid, and only after
checking it is still our ffmpeg.
"""

from __future__ import annotations

import json
import os
import secrets as _random
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from meetstream import secrets
from meetstream.errors import MeetstreamError

APP = "relay"  # the local RTMP application OBS publishes to
# fifo options for each output (ffmpeg's fifo muxer, wrapped by tee's use_fifo): reopen a failed
# ingest every `recovery_wait_time` seconds for ever, drop that output's packets while it is down,
# and restart it on a keyframe so YouTube gets a clean picture. The queue holds about 15 s of packets:
# ffmpeg reads its input for a few seconds before it writes, and that first burst must fit.
_FIFO = ("attempt_recovery=1", "recover_any_error=1", "max_recovery_attempts=0", "drop_pkts_on_overflow=1",
         "restart_with_keyframe=1", "queue_size=900")


class RelayError(MeetstreamError):
    """The relay could not be started (ffmpeg missing, no free port)."""


@dataclass(frozen=True)
class LocalIngest:
    """Where OBS sends its stream while the relay runs. `key` is the relay's own, not YouTube's."""

    server: str
    key: str

    def __repr__(self) -> str:
        return f"LocalIngest({self.server!r}, key=…)"


def _free_port() -> int:
    from meetstream.adapters.obs.headless import free_port

    return free_port()


def _listening(port: int) -> bool:
    """Whether something on this machine listens on 127.0.0.1:port, read from /proc (a test connection
    would be taken by ffmpeg's single-client listen as OBS, and end it)."""
    want = f"0100007F:{port:04X}"
    try:
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[1] == want and fields[3] == "0A":  # 0A: LISTEN
                return True
    except OSError:
        return True  # not Linux: cannot tell, assume it came up
    return False


def tee_spec(outputs: list[str], key: str, recovery_wait: float = 1.0) -> str:
    """The tee muxer's output list. Options are escaped twice: tee reads the bracket with one round
    of backslash escapes, then splits it on ':' with another (ffmpeg's tee documentation)."""
    fifo = r"\\\:".join(_FIFO + (f"recovery_wait_time={recovery_wait:g}",))
    slaves = [f"[f=flv:onfail=ignore:use_fifo=1:fifo_options={fifo}:rtmp_playpath={key}:rtmp_live=live]{url}"
              for url in outputs]
    return "|".join(slaves)


def relay_command(ffmpeg: str, port: int, local_key: str, outputs: list[str], key: str, recovery_wait: float = 1.0) -> list[str]:
    return [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "warning",
            "-listen", "1", "-f", "flv", "-i", f"rtmp://127.0.0.1:{port}/{APP}/{local_key}",
            "-map", "0", "-c", "copy", "-f", "tee", tee_spec(outputs, key, recovery_wait)]


class FfmpegRelay:
    """One room's relay process. `folder` holds relay.json (pid, port, local key; mode 0600) and
    relay.log (ffmpeg's messages; mode 0600)."""

    def __init__(self, folder: Path, *, ffmpeg: str = "ffmpeg", port: int | None = None, recovery_wait: float = 1.0,
                 start_wait: float = 5.0):
        self.folder = Path(folder)
        self.ffmpeg, self.port, self.recovery_wait, self.start_wait = ffmpeg, port, recovery_wait, start_wait
        self._proc: subprocess.Popen | None = None
        self._log_offset = 0
        self._outputs: dict[str, str] = {}  # address -> "primary"/"backup", to name an output in a message

    # --- the state file ------------------------------------------------------------------------

    @property
    def state_file(self) -> Path:
        return self.folder / "relay.json"

    @property
    def log_file(self) -> Path:
        return self.folder / "relay.log"

    def _state(self) -> dict | None:
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None

    def _write_state(self, state: dict) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(state, f)
        os.replace(tmp, self.state_file)

    # --- what the supervisor asks ----------------------------------------------------------------

    def local(self) -> LocalIngest | None:
        """Where OBS should stream while this relay runs (the last one started), or None."""
        st = self._state()
        if not st:
            return None
        return LocalIngest(f"rtmp://127.0.0.1:{st['port']}/{APP}", st["local_key"])

    def start(self, primary: str, backup: str | None, key: str) -> LocalIngest:
        """Start the relay (stopping one left running). The same port and local key as last time when
        known, so OBS's stream settings need not change on a restart."""
        exe = shutil.which(self.ffmpeg) if not os.path.isabs(self.ffmpeg) else self.ffmpeg
        if not exe or not os.path.exists(exe):
            raise RelayError(f"ffmpeg is not installed ({self.ffmpeg!r}); install it (Debian/Ubuntu: apt-get install ffmpeg) "
                             "or set backup_ingest: false for the room")
        secrets.register(key)
        old = self._state() or {}
        self.stop(forget=False)
        port = self.port or old.get("port") or _free_port()
        local_key = old.get("local_key") or "meetstream-" + _random.token_hex(8)
        outputs = [primary] + ([backup] if backup else [])
        self._outputs = {primary: "primary", **({backup: "backup"} if backup else {})}
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._log_offset = os.fstat(fd).st_size
        with os.fdopen(fd, "ab") as log:
            log.write(f"--- relay started {time.strftime('%Y-%m-%d %H:%M:%S')} to {len(outputs)} ingest(s)\n".encode())
            log.flush()
            self._proc = subprocess.Popen(relay_command(exe, port, local_key, outputs, key, self.recovery_wait),
                                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                                          start_new_session=True)
        self._write_state({"pid": self._proc.pid, "port": port, "local_key": local_key, "started": time.time(),
                           "outputs": [secrets.scrub(o) for o in outputs]})
        deadline = time.monotonic() + self.start_wait
        while not _listening(port):
            if self._proc.poll() is not None:
                raise RelayError(f"the relay (ffmpeg) exited at once: {self.last_words() or 'see ' + str(self.log_file)}")
            if time.monotonic() > deadline:
                self.stop(forget=False)
                raise RelayError(f"the relay (ffmpeg) did not listen on 127.0.0.1:{port} within {self.start_wait:g} s")
            time.sleep(0.05)
        return LocalIngest(f"rtmp://127.0.0.1:{port}/{APP}", local_key)

    def _pid(self) -> int | None:
        st = self._state()
        return int(st["pid"]) if st and st.get("pid") else None

    def running(self) -> bool:
        """Whether our ffmpeg still runs (by the state file's pid: a relay left by `start` counts)."""
        if self._proc is not None and self._proc.poll() is not None:
            return False  # our own child, ended (and reaped)
        pid = self._pid()
        if pid is None:
            return False
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        # A pid reused by another program, or a zombie, is not our relay.
        return b"ffmpeg" in cmdline and f"/{APP}/".encode() in cmdline and stat.rsplit(")", 1)[-1].split()[0] != "Z"

    def stop(self, *, forget: bool = True) -> None:
        """Stop the relay (SIGTERM, then SIGKILL) if it runs; `forget` also drops the state file."""
        pid = self._pid()
        if pid is not None and self.running():
            try:
                os.killpg(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + 5
            while self.running() and time.monotonic() < deadline:
                if self._proc is not None:
                    try:
                        self._proc.wait(timeout=0.1)
                    except subprocess.TimeoutExpired:
                        pass
                else:
                    time.sleep(0.1)
            if self.running():
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if self._proc is not None:
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            self._proc = None
        if forget:
            try:
                self.state_file.unlink()
            except FileNotFoundError:
                pass

    def pid(self) -> int | None:
        """The relay's process id while it runs (tests kill it by this)."""
        return self._pid() if self.running() else None

    # --- what ffmpeg said ----------------------------------------------------------------------

    def messages(self) -> list[tuple[str | None, str]]:
        """ffmpeg's new messages since the last call, scrubbed: (which output, "primary"/"backup" or
        None for the relay itself, the line)."""
        try:
            with open(self.log_file, "rb") as f:
                f.seek(self._log_offset)
                data = f.read()
                self._log_offset = f.tell()
        except OSError:
            return []
        out = []
        for raw in data.decode("utf-8", "replace").splitlines():
            line = secrets.scrub(raw.strip())
            if not line or line.startswith("---"):
                continue
            which = next((name for addr, name in sorted(self._outputs.items(), key=lambda kv: -len(kv[0]))
                          if addr in raw), None)
            out.append((which, line))
        return out

    def last_words(self) -> str:
        try:
            lines = [ln for ln in self.log_file.read_text(errors="replace").splitlines() if ln.strip()]
        except OSError:
            return ""
        return secrets.scrub(lines[-1]) if lines else ""
