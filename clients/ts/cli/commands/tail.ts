// `runlog tail`: follows events live (history first with --since/--from-beginning), through service restarts.
import type { Command } from 'commander';
import type { Context } from '../main.js';
import { parseLevel, parseTime, collectList } from '../parse.js';
import { formatEvent } from './read.js';
import { describeError } from '../../src/errors.js';
import type { EventKindName, SubscribeRequest } from '../../src/types.js';

const KINDS: Record<string, EventKindName> = {
  log: 'EVENT_KIND_LOG',
  logs: 'EVENT_KIND_LOG',
  'run-started': 'EVENT_KIND_RUN_STARTED',
  'run-status': 'EVENT_KIND_RUN_STATUS',
  'task-status': 'EVENT_KIND_TASK_STATUS',
  step: 'EVENT_KIND_STEP',
  steps: 'EVENT_KIND_STEP',
};

// eslint-disable-next-line no-control-regex -- the escape sequences of colours, to match --grep against the visible text
const ANSI = /\x1b\[[0-9;]*m/g;

interface TailOptions {
  workflow?: string;
  run?: string;
  task?: string;
  level?: string;
  grep?: string;
  kind?: string[];
  since?: string;
  fromBeginning?: boolean;
  after?: string;
  limit?: number;
  json?: boolean;
}

export function registerTail(program: Command, context: Context): void {
  program
    .command('tail')
    .description('Follow events live, coloured by level; reconnects after a service restart without a gap.')
    .option('-w, --workflow <id>', 'only this workflow')
    .option('-r, --run <id>', 'only this run (needs --workflow)')
    .option('--task <name>', 'only this task')
    .option('-l, --level <level>', 'log records at this level or above')
    .option('-g, --grep <text>', 'only events whose line contains this text')
    .option('-k, --kind <kinds>', 'only these kinds: log, run-started, run-status, task-status, step (comma-separated)', collectList)
    .option('--since <time>', 'start with events ingested since (10m, 2h or an ISO time)')
    .option('--from-beginning', 'start with every stored event')
    .option('--after <cursor>', 'start right after this cursor')
    .option('-n, --limit <n>', 'stop after this many events', (text) => Number(text))
    .option('--json', 'one JSON object per line (with its cursor)')
    .addHelpText('after', '\nExample:\n  runlog tail -w etl --level warn --since 10m')
    .action(async (options: TailOptions) => {
      const kinds = (options.kind ?? []).map((kind) => {
        const name = KINDS[kind.toLowerCase()];
        if (!name) throw new Error(`--kind: unknown kind '${kind}'`);
        return name;
      });
      const request: SubscribeRequest = {
        filter: { workflowId: options.workflow ?? '', runId: options.run ?? '', taskName: options.task ?? '', minLevel: options.level ? parseLevel(options.level) : undefined, kinds },
      };
      if (options.after) request.afterCursor = options.after;
      else if (options.fromBeginning) request.fromBeginning = true;
      else if (options.since) request.since = parseTime(options.since);
      let count = 0;
      const events = context.client().subscribe(request, {
        signal: context.signal,
        onReconnect: (error) => context.out.warn(context.out.colors.dim(`runlog: reconnecting (${describeError(error)})`)),
      });
      for await (const event of events) {
        const line = formatEvent(context.out, event);
        if (options.grep && !line.replace(ANSI, '').includes(options.grep)) continue;
        if (options.json) context.out.json(event);
        else context.out.line(line);
        if (options.limit !== undefined && ++count >= options.limit) break;
      }
    });
}
