"""Where the tests get the engines from: Grapheteria's and Runnable's public sources at pinned commits.

Neither engine is vendored in this repository, and neither is on Debian. For each, in order:

1. `RUNLOG_GRAPHETERIA_SRC` / `RUNLOG_RUNNABLE_SRC`: a source tree of the engine (a checkout or
   an unpacked archive of the pinned commit) — for machines without access to GitHub;
2. a copy fetched earlier into clients/python/.venv/src/<engine>-<commit>/;
3. `git clone` of the public repository, checked out at the pinned commit, into that folder.

When none works the engine's tests skip, saying which variable to set.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path
from typing import Dict, List, Optional

PACKAGE = Path(__file__).resolve().parent.parent
VENV = PACKAGE / ".venv"

GRAPHETERIA_REPO = "https://github.com/beubax/Grapheteria"
GRAPHETERIA_COMMIT = "e167c1d52db0ab6fe90caf09f788ab28f35fc7a6"
RUNNABLE_REPO = "https://github.com/AstraZeneca/runnable"
RUNNABLE_COMMIT = "5cea56b5add409a295a876ce4a4103aac43df392"


def say(message: str) -> None:
    print(f"runlog python tests: {message}", file=sys.stderr, flush=True)


def _clone(repo: str, commit: str, target: Path) -> Optional[str]:
    """Clones repo at commit into target; None on success, else why not."""
    scratch = target.with_name(target.name + ".partial")
    shutil.rmtree(scratch, ignore_errors=True)
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    try:
        subprocess.run(["git", "clone", "--quiet", "--no-checkout", repo, str(scratch)], check=True, capture_output=True, timeout=120, env=env)
        subprocess.run(["git", "-C", str(scratch), "checkout", "--quiet", commit], check=True, capture_output=True, timeout=60, env=env)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, FileNotFoundError) as error:
        shutil.rmtree(scratch, ignore_errors=True)
        detail = getattr(error, "stderr", b"") or b""
        return f"git clone {repo} failed ({detail.decode(errors='replace').strip() or error})"
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch.rename(target)
    return None


def source(name: str, variable: str, repo: str, commit: str, marker: str) -> Dict[str, str]:
    """{"path": source tree} or {"skip": reason}."""
    given = os.environ.get(variable)
    if given:
        if (Path(given) / marker).is_file():
            return {"path": str(Path(given).resolve())}
        return {"skip": f"{variable}={given} has no {marker}"}
    cached = VENV / "src" / f"{name}-{commit[:7]}"
    if (cached / marker).is_file():
        return {"path": str(cached)}
    say(f"fetching {name} at {commit[:7]} from {repo}…")
    problem = _clone(repo, commit, cached)
    if problem is None:
        return {"path": str(cached)}
    return {
        "skip": f"{problem}; set {variable} to a source tree of {repo} at commit {commit} "
        f"(e.g. `git archive {commit}` of a clone, unpacked)"
    }


def grapheteria() -> Dict[str, str]:
    return source("grapheteria", "RUNLOG_GRAPHETERIA_SRC", GRAPHETERIA_REPO, GRAPHETERIA_COMMIT, "grapheteria/utils.py")


def _pip(python: Path, args: List[str]) -> Optional[str]:
    result = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--retries", "0", *args], capture_output=True, text=True, timeout=600)
    return None if result.returncode == 0 else f"pip install {' '.join(args)} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}"


def runnable_env() -> Dict[str, str]:
    """{"python": the venv's python, with Runnable and this package installed} or {"skip": reason}."""
    found = source("runnable", "RUNLOG_RUNNABLE_SRC", RUNNABLE_REPO, RUNNABLE_COMMIT, "runnable/datastore.py")
    if "path" not in found:
        return found
    requirements = PACKAGE / "tests" / "requirements-runnable.txt"
    # Reinstall when the pins, the engine's source or this package's metadata change.
    fingerprint = hashlib.sha256(
        requirements.read_bytes() + found["path"].encode() + (PACKAGE / "pyproject.toml").read_bytes()
    ).hexdigest()
    python = VENV / "bin" / "python"
    stamp = VENV / "runnable-ready"
    if stamp.is_file() and stamp.read_text() == fingerprint and python.exists():
        return {"python": str(python)}
    if not python.exists():
        say(f"creating {VENV} (with the system's site packages: Debian's grpcio and protobuf)")
        venv.EnvBuilder(system_site_packages=True, with_pip=True).create(VENV)
    say("installing Runnable's pinned requirements into the venv…")
    for args in (
        ["-r", str(requirements)],
        ["--no-deps", "--no-build-isolation", found["path"]],
        ["--no-deps", "--no-build-isolation", str(PACKAGE)],
    ):
        problem = _pip(python, args)
        if problem:
            return {"skip": problem}
    stamp.write_text(fingerprint)
    return {"python": str(python)}
