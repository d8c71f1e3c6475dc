// Runs the `runlog` command as a child process, the way a user's shell does, and collects what it printed.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const RUNLOG_BIN = fileURLToPath(new URL('../../clients/ts/bin/runlog.mjs', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `runlog <args>` against the given services; NO_COLOR unless the caller's env says otherwise. */
export function runCli(args: string[], options: { ingest?: string; query?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  const connection = [...(options.ingest ? ['--ingest', options.ingest] : []), ...(options.query ? ['--query', options.query] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUNLOG_BIN, ...connection, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The JSON objects of a `--json` output, one per line. */
export const jsonLines = <T = Record<string, unknown>>(text: string): T[] =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
