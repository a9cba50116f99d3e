"""A chamber for the rehearsal (`meetstream rehearse --chamber KIND`): the simulator of the chosen
microphone system, the driver connected to it, and a way to switch seats' microphones on and off,
so a recorded debate can be replayed through the real driver and the automatic director.

KIND: dicentis (the DICENTIS simulator over WebSocket), shure (the DIS/DDS central unit over TCP),
televic (Confidea camera datagrams over UDP), levels (OBS's audio levels, played as levels the
rehearsal's headless OBS cannot make: its audio inputs have no device)."""

from __future__ import annotations

import threading

KINDS = ("dicentis", "televic", "shure", "levels")


class RehearsalChamber:
    """The simulator of `kind`, started, and `on(mic)` / `off(mic)`. The driver that reads it is
    built by meetstream.bootstrap.rehearsal_mics (only bootstrap builds adapters), from what this
    says of it: `url`, `user`, `password` (DICENTIS), `port` (Shure), `levels` (played levels)."""

    def __init__(self, kind: str, seats: dict[str, str], clock=None):
        """`seats`: mic id -> the name its screen shows (DICENTIS). Shure and Televic number seats,
        so their ids are "1", "2", …; `clock`: the levels' time (a replay faster than life)."""
        if kind not in KINDS:
            from meetstream.errors import ConfigError

            raise ConfigError(f"unknown chamber {kind!r} (one of: {', '.join(KINDS)})")
        self.kind, self.seats, self.clock = kind, dict(seats), clock
        self._closers = []
        self._sender = None
        if kind == "dicentis":
            from meetstream.sandbox.chamber.dicentis import DicentisSimulator

            sim = DicentisSimulator(seats=dict(seats)).start()
            self._closers.append(sim.stop)
            self.url, self.user, self.password = sim.url, sim.user, sim.password
            self.on, self.off = sim.speak, sim.stop_speaking
        elif kind == "shure":
            from meetstream.sandbox.chamber.shure import ShureCcuSimulator

            sim = ShureCcuSimulator().start()
            self._closers.append(sim.stop)
            self.port = sim.port
            self.on, self.off = (lambda mic: sim.press(int(mic))), (lambda mic: sim.release(int(mic)))
        elif kind == "televic":
            # The central unit sends to us: the sender is made once the driver listens (`listening`).
            self.on = lambda mic: self._sender.confidea(int(mic), 1)
            self.off = lambda mic: self._sender.confidea(int(mic), 0)
        else:
            self.levels = _PlayedLevels()
            self.on, self.off = (lambda mic: self.levels.set(mic, -18.0)), (lambda mic: self.levels.set(mic, -90.0))

    def listening(self, port: int) -> None:
        """Televic: the driver listens on `port`; the simulated central unit sends there."""
        from meetstream.sandbox.chamber.televic import TelevicCameraSender

        if self._sender is not None:
            self._sender.close()
        self._sender = TelevicCameraSender(port)
        self._closers.append(self._sender.close)

    def close(self) -> None:
        for close in self._closers:
            try:
                close()
            except Exception:  # a simulator already gone
                pass


class _PlayedLevels:
    """What adapters.obs.levels.ObsLevels gives LevelMics (peak_db, stop), played by the rehearsal."""

    def __init__(self):
        self._db: dict[str, float] = {}
        self._lock = threading.Lock()

    def set(self, name: str, db: float) -> None:
        with self._lock:
            self._db[name] = db

    def peak_db(self, name: str) -> float:
        with self._lock:
            return self._db.get(name, -90.0)

    def stop(self) -> None:
        pass
