// The `runlog` command line: global connection options, one subcommand per module in commands/, errors as one line on stderr.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { RunlogClient, type ClientOptions } from '../src/client.js';
import { describeError, isRpcError } from '../src/errors.js';
import { createOutput, type Output } from './output.js';
import { UsageError } from './parse.js';
import { registerReadCommands } from './commands/read.js';
import { registerTail } from './commands/tail.js';
import { registerStateCommands } from './commands/state.js';
import { registerDiff } from './commands/diff.js';
import { registerExport } from './commands/export.js';
import { registerImport } from './commands/import.js';

export interface GlobalOptions {
  ingest: string;
  query: string;
  token?: string;
  tls?: boolean;
  caCert?: string;
  header: Record<string, string>;
  timeout: string;
}

/** What every command gets: the client (made on first use) and the output. */
export interface Context {
  client(): RunlogClient;
  readonly out: Output;
  /** Aborted on Ctrl-C / SIGTERM, for commands that run until stopped. */
  readonly signal: AbortSignal;
}

export async function main(argv: string[], out: Output = createOutput()): Promise<number> {
  const program = new Command('runlog');
  const stop = new AbortController();
  let client: RunlogClient | undefined;
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const context: Context = {
    out,
    signal: stop.signal,
    client() {
      if (!client) client = new RunlogClient(clientOptions(program.opts<GlobalOptions>()));
      return client;
    },
  };

  program
    .description('Inspect, follow, fork, diff, export and import runlog runs.')
    .option('--ingest <host:port>', 'IngestService address (env RUNLOG_INGEST)', process.env.RUNLOG_INGEST ?? '127.0.0.1:7070')
    .option('--query <host:port>', 'QueryService/StateService address (env RUNLOG_QUERY)', process.env.RUNLOG_QUERY ?? '127.0.0.1:7071')
    .option('--token <token>', 'bearer token sent on every call (env RUNLOG_TOKEN)', process.env.RUNLOG_TOKEN)
    .option('--tls', 'use TLS (system roots, or --ca-cert)')
    .option('--ca-cert <file>', 'PEM root certificate for TLS')
    .option('-H, --header <key=value>', 'metadata sent on every call (repeatable)', collectHeader, {})
    .option('--timeout <ms>', 'deadline of each call', '30000')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (text) => process.stdout.write(text), writeErr: (text) => process.stderr.write(text) })
    .addHelpText('after', '\nExamples:\n  runlog runs --workflow etl --status failed\n  runlog tail --workflow etl --level warn\n  runlog diff -w etl r-1 r-1-fork');

  registerReadCommands(program, context);
  registerTail(program, context);
  registerStateCommands(program, context);
  registerDiff(program, context);
  registerExport(program, context);
  registerImport(program, context);
  for (const command of program.commands) command.exitOverride().showHelpAfterError();

  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      out.warn(`runlog: ${error.message}`);
      return 2;
    }
    out.warn(`runlog: ${isRpcError(error) ? describeError(error) : error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    client?.close();
  }
}

function clientOptions(options: GlobalOptions): ClientOptions {
  return {
    ingestAddress: options.ingest,
    queryAddress: options.query,
    token: options.token,
    tls: options.caCert ? { rootCerts: readFileSync(options.caCert) } : options.tls === true,
    metadata: options.header,
    timeoutMs: Number(options.timeout),
  };
}

function collectHeader(value: string, previous: Record<string, string>): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new UsageError(`--header: expected key=value, got '${value}'`);
  return { ...previous, [value.slice(0, at).toLowerCase()]: value.slice(at + 1) };
}
