"""Start-up: `meetstream --help` and `meetstream cue speaker --help` beside a bare
`python -c "import typer"`, cold, interleaved, as ratios (goal: within 1.5x). No OBS needed.

    .venv/bin/python bench/startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def ms(x):
    return f"{x * 1000:7.2f}"


def bench_help(runs: int) -> None:
    """Cold starts, interleaved (typer, --help, subcommand --help, typer, ...) so that the
    machine's drift during the run falls on all three alike."""
    exe = sys.executable
    cmds = {
        "python -c 'import typer'": [exe, "-c", "import typer"],
        "meetstream --help": [exe, "-m", "meetstream", "--help"],
        "meetstream cue speaker --help": [exe, "-m", "meetstream", "cue", "speaker", "--help"],
    }
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            t = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            times[name].append(time.perf_counter() - t)
    base = statistics.median(times["python -c 'import typer'"])
    print(f"\nCold start, interleaved, median of {runs}, ms")
    for name, xs in times.items():
        ratio = "" if name.startswith("python") else f"   ratio {statistics.median(xs) / base:.2f}x (goal: within 1.5x)"
        print(f"  {name:31} {ms(statistics.median(xs))}{ratio}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    bench_help(parser.parse_args().runs)
