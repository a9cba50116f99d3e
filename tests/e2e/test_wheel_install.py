"""Beyond this checkout: the wheel built from it, installed into a fresh venv in a folder that is
not the checkout, runs the README's main job (the headless rehearsal) end to end."""

import os
import subprocess
import sys

import pytest

from helpers import REPO

pytestmark = pytest.mark.obs


def test_the_built_wheel_in_a_fresh_venv_outside_the_checkout_rehearses_a_whole_night(tmp_path):
    wheels, venv, elsewhere = tmp_path / "wheels", tmp_path / "venv", tmp_path / "elsewhere"
    elsewhere.mkdir()
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(REPO)],
                   check=True, capture_output=True, timeout=300)
    (wheel,) = wheels.glob("meetstream-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
                         capture_output=True, text=True, timeout=900)
    assert pip.returncode == 0, pip.stderr[-2000:]

    env = {k: v for k, v in os.environ.items() if not k.startswith("MEETSTREAM_") and k != "PYTHONPATH"}
    env["HOME"] = str(tmp_path / "home")  # no config, no state, no token of this machine's user
    probe = subprocess.run([str(venv / "bin" / "python"), "-c", "import meetstream; print(meetstream.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
    assert str(venv) in probe.stdout and str(REPO) not in probe.stdout  # the installed copy, not the checkout

    run = subprocess.run([str(venv / "bin" / "meetstream"), "rehearse", "--headless", "--script", "auto", "--pause", "0",
                          "--out", str(elsewhere / "night")], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, (run.stdout[-3000:], run.stderr[-3000:])
    assert "PRIVATE   Item 7" in run.stdout
    assert (elsewhere / "night" / "chapters.txt").read_text().startswith("0:00 ")
    assert len(list((elsewhere / "night" / "screenshots").glob("*.png"))) >= 15
