"""Writing the published files: atomically (a temp file beside it, then rename), and only when the
bytes differ, so a web server's caches and a nightly run's mtimes change only with the data."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from meetstream.errors import MeetstreamError

MANIFEST = ".meetstream-published"  # what the last run wrote: stale pages are removed, nothing else


class PublishError(MeetstreamError):
    """The output folder cannot be written."""


@dataclass
class Written:
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def files(self) -> list[str]:
        return sorted(self.changed + self.unchanged)


def write_atomic(path: Path, data: bytes, *, mode: int = 0o644) -> bool:
    """Write `data` to `path` unless it already holds exactly that; True if it was written."""
    try:
        if path.is_file() and path.read_bytes() == data:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except OSError as err:
        raise PublishError(f"cannot write {path}: {err.strerror or err}") from err
    return True


def write_tree(outdir: Path, files: dict[str, bytes]) -> Written:
    """Write every file (relative path -> bytes) under `outdir`; remove the files the previous run
    wrote that this one did not (a page whose name changed), and only those."""
    done = Written()
    for rel in sorted(files):
        (done.changed if write_atomic(outdir / rel, files[rel]) else done.unchanged).append(rel)
    manifest = outdir / MANIFEST
    before = set(manifest.read_text(encoding="utf-8").splitlines()) if manifest.is_file() else set()
    for rel in sorted(before - set(files)):
        target = (outdir / rel).resolve()
        if outdir.resolve() in target.parents and target.is_file():
            target.unlink()
            done.removed.append(rel)
    write_atomic(manifest, ("\n".join(sorted(files)) + "\n").encode())
    return done
