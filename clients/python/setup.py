"""Builds the package with its gRPC stubs generated from proto/ at build time (see generate_stubs.py)."""
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate_stubs  # noqa: E402  (next to this file, found through the line above)


class BuildWithStubs(build_py):
    """Regenerates runlog/v1 from the protos before the usual build, so a built package is never stale."""

    def run(self) -> None:
        generate_stubs.generate_into_package(Path(__file__).resolve().parent)
        super().run()


setup(cmdclass={"build_py": BuildWithStubs})
