#!/usr/bin/env python3
"""One command to set up and start KPI Desk, one to run its tests (stdlib only, any OS):

    python3 run.py          create .venv if needed, install KPI Desk into it, start the app
    python3 run.py test     the same set-up, then run the whole test suite
    python3 run.py ARGS     anything else is passed to the `kpidesk` command line

The virtual environment is reinstalled only when pyproject.toml changes.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".kpidesk-installed"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_environment() -> Path:
    if sys.version_info < (3, 10):
        sys.exit(f"KPI Desk needs Python 3.10 or newer; this is {sys.version.split()[0]}.")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    py = venv_python()
    if not py.exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        print("Installing KPI Desk and its dependencies (first run only) ...", flush=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "-e", f"{ROOT}[test]"], check=True)
        STAMP.write_text(wanted)
    return py


def main(argv: list[str]) -> int:
    py = ensure_environment()
    if argv[:1] == ["test"]:
        cmd = [str(py), "-m", "pytest", "-q", "-p", "no:cacheprovider", *argv[1:]]
    else:
        cmd = [str(py), str(ROOT / "main.py"), *argv]
    return subprocess.call(cmd, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
