"""Generates the gRPC stubs of runlog's protos (proto/runlog/v1) into runlog/v1/: standard library only.

Used by setup.py when the package is built, by the tests, and by hand:

    python3 clients/python/generate_stubs.py [--out DIR] [--proto DIR]

The generator is `python3 -m grpc_tools.protoc` when grpcio-tools is importable, else the
system's `protoc` with `grpc_python_plugin` (Debian: protobuf-compiler-grpc). Both write code
for the protobuf runtime they come with.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_PROTO_DIR = HERE.parent.parent / "proto"
PROTO_FILES = ("events.proto", "ingest.proto", "query.proto", "state.proto")


class GeneratorMissing(RuntimeError):
    """Neither grpcio-tools nor protoc with grpc_python_plugin is available."""


def proto_dir() -> Path:
    """The protos: RUNLOG_PROTO_DIR, else the repository's proto/ two levels up."""
    configured = os.environ.get("RUNLOG_PROTO_DIR")
    found = Path(configured) if configured else DEFAULT_PROTO_DIR
    if not (found / "runlog" / "v1" / "events.proto").is_file():
        raise FileNotFoundError(
            f"runlog's protos are not at {found}; set RUNLOG_PROTO_DIR to the repository's proto/ folder"
        )
    return found


def generator_command() -> list[str]:
    """The protoc invocation to use, without its arguments."""
    if importlib.util.find_spec("grpc_tools") is not None:
        return [sys.executable, "-m", "grpc_tools.protoc"]
    protoc = shutil.which("protoc")
    plugin = shutil.which("grpc_python_plugin")
    if protoc and plugin:
        return [protoc, f"--plugin=protoc-gen-grpc_python={plugin}"]
    raise GeneratorMissing(
        "cannot generate runlog's Python stubs: neither grpcio-tools (pip install grpcio-tools) nor "
        "protoc with grpc_python_plugin (Debian/Ubuntu: apt-get install protobuf-compiler-grpc) is installed"
    )


def well_known_include() -> list[str]:
    """-I for google/protobuf/*.proto: grpc_tools bundles them; Debian's protoc finds its own."""
    spec = importlib.util.find_spec("grpc_tools")
    if spec is not None and spec.origin:
        bundled = Path(spec.origin).parent / "_proto"
        if bundled.is_dir():
            return [f"-I{bundled}"]
    return []


def generate(out_dir: Path, protos: Path | None = None) -> list[Path]:
    """Writes runlog/v1/*_pb2.py, *_pb2.pyi, *_pb2_grpc.py and __init__.py under out_dir; returns them."""
    protos = protos or proto_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    files = [str(protos / "runlog" / "v1" / name) for name in PROTO_FILES]
    command = [
        *generator_command(),
        f"-I{protos}",
        *well_known_include(),
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *files,
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"protoc failed ({' '.join(command)}):\n{result.stderr}")
    package = out_dir / "runlog" / "v1"
    (package / "__init__.py").write_text('"""Generated from proto/runlog/v1 by generate_stubs.py; do not edit."""\n')
    return sorted(package.iterdir())


def generate_into_package(package_root: Path = HERE, protos: Path | None = None) -> None:
    """Regenerates package_root/runlog/v1 (only the generated folder is replaced)."""
    with tempfile.TemporaryDirectory() as scratch:
        generate(Path(scratch), protos)
        target = package_root / "runlog" / "v1"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(Path(scratch) / "runlog" / "v1", target)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder that receives runlog/v1/ (default: this package)")
    parser.add_argument("--proto", type=Path, default=None, help="the repository's proto/ folder")
    args = parser.parse_args()
    try:
        generate_into_package(args.out, args.proto)
    except (GeneratorMissing, FileNotFoundError, RuntimeError) as error:
        print(f"runlog: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
