"""Reading what OBS shows, straight from OBS: program screenshots as average colours."""

from __future__ import annotations

import base64
import struct


def screenshot_bmp(conn, source: str, width: int = 64) -> bytes:
    data = conn.call("GetSourceScreenshot", {"sourceName": source, "imageFormat": "bmp", "imageWidth": width})["imageData"]
    return base64.b64decode(data.split(",", 1)[1])


def average_rgb(bmp: bytes) -> tuple[int, int, int]:
    """Average colour of an uncompressed 24/32-bit BMP (what Qt writes for OBS screenshots)."""
    offset = struct.unpack_from("<I", bmp, 10)[0]
    width, height = struct.unpack_from("<ii", bmp, 18)
    bpp = struct.unpack_from("<H", bmp, 28)[0]
    step = bpp // 8
    row = (width * step + 3) & ~3
    totals = [0, 0, 0]
    n = 0
    for y in range(abs(height)):
        base = offset + y * row
        for x in range(width):
            b, g, r = bmp[base + x * step: base + x * step + 3]
            totals[0] += r
            totals[1] += g
            totals[2] += b
            n += 1
    return tuple(t // n for t in totals)


def program_rgb(conn) -> tuple[int, int, int]:
    scene = conn.call("GetCurrentProgramScene")["currentProgramSceneName"]
    return average_rgb(screenshot_bmp(conn, scene))


def close_to(rgb, want, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(rgb, want))
