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
    def __init__(self, kind: str, seats: dict[str, str], clock=None):
        """`seats`: mic id -> the name its screen shows (DICENTIS). Shure and Televic number seats,
        so their ids are "1", "2", …; `clock`: the levels' time (a replay faster than life)."""
        if kind not in KINDS:
            from meetstream.errors import ConfigError

            raise ConfigError(f"unknown chamber {kind!r} (one of: {', '.join(KINDS)})")
        self.kind, self.seats = kind, dict(seats)
        self._closers = []
        if kind == "dicentis":
            from meetstream.adapters.chamber.dicentis import DicentisClient
            from meetstream.sandbox.chamber.dicentis import DicentisSimulator

            sim = DicentisSimulator(seats=dict(seats)).start()
            self._closers.append(sim.stop)
            self.on, self.off = sim.speak, sim.stop_speaking
            self.make = lambda: DicentisClient(sim.url, sim.user, sim.password, timeout=5)
        elif kind == "shure":
            from meetstream.adapters.chamber.shure import ShureDisClient
            from meetstream.sandbox.chamber.shure import ShureCcuSimulator

            sim = ShureCcuSimulator().start()
            self._closers.append(sim.stop)
            self.on, self.off = (lambda mic: sim.press(int(mic))), (lambda mic: sim.release(int(mic)))
            self.make = lambda: ShureDisClient("127.0.0.1", sim.port)
        elif kind == "televic":
            from meetstream.adapters.chamber.televic import TelevicCameraListener
            from meetstream.sandbox.chamber.televic import TelevicCameraSender

            listener = TelevicCameraListener("127.0.0.1", 0)
            sender = TelevicCameraSender(listener.port)
            self._closers.append(sender.close)
            self.on, self.off = (lambda mic: sender.confidea(int(mic), 1)), (lambda mic: sender.confidea(int(mic), 0))
            self.make = lambda: listener
        else:
            from meetstream.core.chamber import LevelDetector, LevelSettings
            from meetstream.services.chamber import LevelMics

            levels = _PlayedLevels()
            self.on, self.off = (lambda mic: levels.set(mic, -18.0)), (lambda mic: levels.set(mic, -90.0))
            self.make = lambda: LevelMics(levels, LevelDetector(LevelSettings()), list(seats),
                                          **({"clock": clock} if clock else {}))

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
