// Installs what the Python client's tests need from Debian when it is missing: python3 with venv, grpcio, protobuf, dill, protoc with the gRPC plugin.
// Called by ensure-setup.mjs. Plain JavaScript: it runs before any npm dependency is installed.
// The engines (Grapheteria, Runnable) and pip packages are set up by clients/python/tests/prepare.py, not here.
import { spawnSync } from 'node:child_process';

const PYTHON = process.env.RUNLOG_PYTHON ?? '/usr/bin/python3';
const PACKAGES = ['python3-grpcio', 'python3-protobuf', 'python3-dill', 'python3-venv', 'protobuf-compiler-grpc'];

function pythonReady() {
  const imports = spawnSync(PYTHON, ['-c', 'import grpc, google.protobuf, dill, venv, ensurepip'], { stdio: 'ignore' });
  const protoc = spawnSync('grpc_python_plugin', ['--version'], { stdio: 'ignore' });
  // grpc_python_plugin has no --version: it is found when spawn did not fail with ENOENT.
  return imports.status === 0 && protoc.error === undefined;
}

export function ensurePython() {
  if (pythonReady()) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const aptGet = spawnSync('which', ['apt-get']).status === 0;
  if (isRoot && aptGet && PYTHON === '/usr/bin/python3') {
    console.error(`runlog: installing the Python client's dependencies (apt-get install -y ${PACKAGES.join(' ')})…`);
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    spawnSync('apt-get', ['install', '-y', '-qq', ...PACKAGES], { stdio: 'inherit' });
  }
  if (!pythonReady()) {
    console.error(
      `runlog: the Python client's tests need ${PYTHON} with grpcio, protobuf, dill and venv, and protoc with grpc_python_plugin.\n` +
        `  Debian/Ubuntu: sudo apt-get install -y ${PACKAGES.join(' ')}\n` +
        '  elsewhere: pip install grpcio grpcio-tools protobuf dill, and set RUNLOG_PYTHON to that python.',
    );
    process.exit(1);
  }
}
