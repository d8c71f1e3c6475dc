// `runlog workflows`, `runs`, `show` and `logs`: listings and one run in full.
import type { Command } from 'commander';
import type { Context } from '../main.js';
import { colorLevel, colorStatus, formatTime, shortName, type Output } from '../output.js';
import { collectList, collectPair, parseInteger, parseLevel, parseStatus, parseTime } from '../parse.js';
import type { GetLineageResponse, LineageNode, Run, StoredEvent } from '../../src/types.js';

export function registerReadCommands(program: Command, context: Context): void {
  program
    .command('workflows')
    .description('List the workflows that have runs.')
    .option('--limit <n>', 'at most this many', parseInteger)
    .option('--json', 'one JSON object per line')
    .addHelpText('after', '\nExample:\n  runlog workflows --json')
    .action(async (options: { limit?: number; json?: boolean }) => {
      const rows = [];
      for await (const workflow of context.client().iterateWorkflows({ pageSize: 1000 })) {
        rows.push(workflow);
        if (options.limit !== undefined && rows.length >= options.limit) break;
      }
      if (options.json) return rows.forEach((row) => context.out.json(row));
      context.out.table(
        ['WORKFLOW', 'NAME', 'RUNS', 'LAST RUN'],
        rows.map((w) => [w.workflowId, w.workflowName, w.runCount, formatTime(w.lastRunTime)]),
      );
    });

  program
    .command('runs')
    .description('List runs, newest first.')
    .option('-w, --workflow <id>', 'only this workflow')
    .option('-s, --status <status>', 'only runs with this current status (repeatable, or comma-separated)', collectList)
    .option('-t, --tag <key=value>', 'only runs with this tag (repeatable)', collectPair)
    .option('--since <time>', 'started at or after (10m, 2h, 1d or an ISO time)')
    .option('--until <time>', 'started before')
    .option('--limit <n>', 'at most this many', parseInteger)
    .option('--json', 'one JSON object per line')
    .addHelpText('after', '\nExample:\n  runlog runs --workflow etl --status failed --since 1d')
    .action(async (options: { workflow?: string; status?: string[]; tag?: Record<string, string>; since?: string; until?: string; limit?: number; json?: boolean }) => {
      const rows = [];
      const request = {
        workflowId: options.workflow ?? '',
        statuses: (options.status ?? []).map(parseStatus),
        tags: options.tag ?? {},
        startTime: options.since ? parseTime(options.since) : null,
        endTime: options.until ? parseTime(options.until) : null,
        pageSize: 1000,
      };
      for await (const run of context.client().iterateRuns(request)) {
        rows.push(run);
        if (options.limit !== undefined && rows.length >= options.limit) break;
      }
      if (options.json) return rows.forEach((row) => context.out.json(row));
      const { colors } = context.out;
      context.out.table(
        ['WORKFLOW', 'RUN', 'STATUS', 'STARTED', 'ENDED', 'LOGS', 'ERRORS', 'PARENT'],
        rows.map((r) => [r.workflowId, r.runId, colorStatus(colors, r.status), formatTime(r.startTime), formatTime(r.endTime), r.logCount, r.errorCount, r.parentRunId]),
      );
    });

  program
    .command('show <workflow> <run>')
    .description('One run in full: status timeline, tasks with attempts, steps, parameters, lineage.')
    .option('--json', 'the run, its steps and lineage as one JSON object')
    .addHelpText('after', '\nExample:\n  runlog show etl r-42')
    .action(async (workflowId: string, runId: string, options: { json?: boolean }) => {
      const client = context.client();
      const [run, lineage, steps] = await Promise.all([
        client.getRun(workflowId, runId),
        client.getLineage({ workflowId, runId }),
        collect(client.iterateSteps({ run: { workflowId, runId }, omitState: true, pageSize: 1000 })),
      ]);
      if (options.json) return context.out.json({ run, steps, lineage });
      printRun(context.out, run, steps, lineage);
    });

  program
    .command('logs')
    .description('Stored log records, in store order.')
    .option('-w, --workflow <id>', 'only this workflow')
    .option('-r, --run <id>', 'only this run (needs --workflow)')
    .option('--task <name>', 'only this task')
    .option('-l, --level <level>', 'at this level or above')
    .option('--contains <text>', 'only messages containing this text')
    .option('--since <time>', 'written at or after (10m, 2h or an ISO time)')
    .option('--until <time>', 'written before')
    .option('--desc', 'newest first')
    .option('--limit <n>', 'at most this many records', parseInteger)
    .option('--page-size <n>', 'records per request', parseInteger, 1000)
    .option('--json', 'one JSON object per line')
    .addHelpText('after', '\nExample:\n  runlog logs -w etl -r r-42 --level error --contains timeout')
    .action(async (options: LogsOptions) => {
      let count = 0;
      const request = {
        filter: { workflowId: options.workflow ?? '', runId: options.run ?? '', taskName: options.task ?? '', minLevel: options.level ? parseLevel(options.level) : undefined },
        startTime: options.since ? parseTime(options.since) : null,
        endTime: options.until ? parseTime(options.until) : null,
        contains: options.contains ?? '',
        order: options.desc ? ('ORDER_DESCENDING' as const) : ('ORDER_ASCENDING' as const),
        pageSize: options.pageSize,
      };
      for await (const record of context.client().iterateLogs(request)) {
        if (options.json) context.out.json(record);
        else context.out.line(formatEvent(context.out, record));
        if (options.limit !== undefined && ++count >= options.limit) break;
      }
    });
}

interface LogsOptions {
  workflow?: string;
  run?: string;
  task?: string;
  level?: string;
  contains?: string;
  since?: string;
  until?: string;
  desc?: boolean;
  limit?: number;
  pageSize: number;
  json?: boolean;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** One event as a line: time, kind or level, where, what. */
export function formatEvent(out: Output, stored: StoredEvent): string {
  const { colors } = out;
  const event = stored.event!;
  const where = colors.dim(`${event.workflowId}/${event.runId}`);
  if (event.log) {
    const log = event.log;
    const task = log.taskName ? ` ${colors.magenta(log.taskName)}` : '';
    const attributes = Object.entries(log.attributes ?? {}).map(([key, value]) => colors.dim(` ${key}=${value}`)).join('');
    return `${formatTime(log.time)} ${colorLevel(colors, log.level)} ${where}${task} ${log.message}${attributes}`;
  }
  if (event.runStatus) return `${formatTime(event.runStatus.time)} ${colors.bold('RUN  ')} ${where} ${colorStatus(colors, event.runStatus.status)}${event.runStatus.reason ? ` ${event.runStatus.reason}` : ''}`;
  if (event.taskStatus) {
    const task = event.taskStatus;
    return `${formatTime(task.time)} ${colors.bold('TASK ')} ${where} ${colors.magenta(task.taskName)}#${task.attempt} ${colorStatus(colors, task.status)}${task.reason ? ` ${task.reason}` : ''}`;
  }
  if (event.step) return `${formatTime(event.step.time)} ${colors.bold('STEP ')} ${where} #${event.step.step} ${event.step.nodeId}`;
  if (event.runStarted) return `${formatTime(event.runStarted.time)} ${colors.bold('START')} ${where} ${event.runStarted.workflowName}`;
  return `${formatTime(stored.ingestTime)} ${where} (unknown event)`;
}

function printRun(out: Output, run: Run, steps: { step: number; nodeId: string; time: Date | null; awaitingInput: boolean; sourceRunId: string }[], lineage: GetLineageResponse): void {
  const { colors } = out;
  const summary = run.summary!;
  out.line(`${colors.bold(`${summary.workflowId}/${summary.runId}`)}  ${colorStatus(colors, summary.status)}  ${summary.workflowName}`);
  out.line(`started ${formatTime(summary.startTime)}${summary.endTime ? `, ended ${formatTime(summary.endTime)}` : ''}; ${summary.logCount} log records, ${summary.errorCount} errors`);
  if (Object.keys(summary.tags ?? {}).length > 0) out.line(`tags: ${Object.entries(summary.tags).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  if (summary.parentRunId) out.line(`forked from ${summary.parentRunId} at step ${run.forkStep}`);
  out.line();
  out.line(colors.bold('Status timeline'));
  out.table(['TIME', 'STATUS', 'REASON'], run.timeline.map((entry) => [formatTime(entry.time), colorStatus(colors, entry.status), entry.reason]));
  if (run.tasks.length > 0) {
    out.line(colors.bold('Tasks'));
    out.table(
      ['TASK', 'INSTANCE', 'STATUS', 'ATTEMPTS', 'TIMELINE'],
      run.tasks.map((task) => [task.taskName, task.taskInstanceId, colorStatus(colors, task.status), task.attempt, task.timeline.map((entry) => `#${entry.attempt} ${shortName(entry.status)}`).join(' → ')]),
    );
  }
  if (steps.length > 0) {
    out.line(colors.bold('Steps'));
    out.table(['STEP', 'NODE', 'TIME', 'AWAITING INPUT', 'FROM RUN'], steps.map((s) => [s.step, s.nodeId, formatTime(s.time), s.awaitingInput ? 'yes' : '', s.sourceRunId]));
  }
  if (Object.keys(run.parameters ?? {}).length > 0) {
    out.line(colors.bold('Parameters'));
    out.line(JSON.stringify(run.parameters, null, 2));
  }
  out.line(colors.bold('Lineage'));
  for (const line of lineageTree(out, lineage, summary.runId)) out.line(line);
}

/** The ancestors down to the run, then its forks as an indented tree; the run itself in bold. */
export function lineageTree(out: Output, lineage: GetLineageResponse, runId: string): string[] {
  const { colors } = out;
  const lines: string[] = [];
  const ancestors = [...lineage.ancestors].reverse();
  ancestors.forEach((node, depth) => lines.push(`${'  '.repeat(depth)}${depth > 0 ? '└─ ' : ''}${describeNode(out, node)}`));
  const walk = (node: LineageNode, depth: number) => {
    const text = describeNode(out, node);
    lines.push(`${'  '.repeat(depth)}${depth > 0 ? '└─ ' : ''}${node.runId === runId ? colors.bold(text) : text}`);
    for (const fork of node.forks) walk(fork, depth + 1);
  };
  if (lineage.run) walk(lineage.run, ancestors.length);
  return lines;
}

function describeNode(out: Output, node: LineageNode): string {
  const fork = node.parentRunId ? ` (fork of ${node.parentRunId} at step ${node.forkStep})` : '';
  return `${node.runId} ${colorStatus(out.colors, node.status)}${fork}`;
}
