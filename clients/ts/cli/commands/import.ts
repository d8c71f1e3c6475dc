// `runlog import grapheteria|runnable <dir>`: another engine's runs into runlog, idempotently, with a progress bar and a summary.
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import type { Context } from '../main.js';
import { openGrapheteria } from '../../import/grapheteria.js';
import { openRunnable } from '../../import/runnable.js';
import { importRuns, type ImportSummary } from '../../import/sink.js';
import type { ImportItem } from '../../import/model.js';

interface ImportOptions {
  json?: boolean;
  dryRun?: boolean;
  progress?: boolean;
  workflow?: string;
}

export function registerImport(program: Command, context: Context): void {
  const command = program.command('import').description("Import another engine's runs (Grapheteria, Runnable). Importing twice stores every run once.");

  command
    .command('grapheteria <path>')
    .description('Grapheteria runs: a logs folder (<workflow>/<run>/state.pkl or state.json) or its SQLite file (workflows.db).')
    .option('--dry-run', 'read and count, store nothing')
    .option('--no-progress', 'no progress bar (it is shown only on a terminal anyway)')
    .option('--json', 'the summary as JSON')
    .addHelpText('after', '\nExamples:\n  runlog import grapheteria ./logs\n  runlog import grapheteria ./workflows.db --json')
    .action(async (path: string, options: ImportOptions) => {
      const source = await openGrapheteria(path);
      await run(context, 'grapheteria', source, options);
    });

  command
    .command('runnable <path>')
    .description('Runnable run logs: a file-system or chunked-fs store (.run_log_store, or the folder holding it), every schema version.')
    .option('-w, --workflow <id>', "workflow id of every run (default: from each run's pipeline file, else 'runnable')")
    .option('--dry-run', 'read and count, store nothing')
    .option('--no-progress', 'no progress bar (it is shown only on a terminal anyway)')
    .option('--json', 'the summary as JSON')
    .addHelpText('after', '\nExample:\n  runlog import runnable ./.run_log_store --workflow etl')
    .action(async (path: string, options: ImportOptions) => {
      await run(context, 'runnable', openRunnable(path, { workflowId: options.workflow }), options);
    });
}

async function run(context: Context, tool: string, source: { total: number; items: AsyncIterable<ImportItem> }, options: ImportOptions): Promise<void> {
  const { out } = context;
  const bar =
    options.progress !== false && out.stderrIsTty
      ? new cliProgress.SingleBar({ format: `import ${tool} |{bar}| {value}/{total} runs | {last}`, stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
      : undefined;
  bar?.start(source.total, 0, { last: '' });
  let summary: ImportSummary;
  try {
    summary = await importRuns(context.client(), source.items, {
      tool,
      dryRun: options.dryRun,
      onItem: (item, outcome) => bar?.increment({ last: 'run' in item ? `${item.run.workflowId}/${item.run.runId} ${outcome}` : `skipped ${item.skipped.source}` }),
    });
  } finally {
    bar?.stop();
  }
  if (options.json) return out.json(summary);
  const { colors } = out;
  const stored = options.dryRun ? `${summary.read} read (dry run, nothing stored)` : `${summary.imported} imported`;
  out.line(`${colors.bold(`${summary.runs} runs`)}: ${colors.green(stored)}, ${summary.alreadyImported} already in runlog, ${summary.skipped.length > 0 ? colors.red(`${summary.skipped.length} skipped`) : '0 skipped'}`);
  out.table(
    ['STEPS', 'ATTEMPTS', 'BRANCHES', 'LOG RECORDS', 'EVENTS SENT', 'FINAL STATUSES'],
    [[summary.steps, summary.attempts, summary.branches, summary.logs, summary.events, Object.entries(summary.statuses).map(([status, n]) => `${status} ${n}`).join(', ')]],
  );
  for (const skipped of summary.skipped) out.line(`${colors.yellow('skipped')} ${skipped.source}: ${skipped.reason}`);
}
