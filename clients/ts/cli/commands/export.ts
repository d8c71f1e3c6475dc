// `runlog export`: one run, or a workflow's runs since a time, to JSON lines or Parquet, read through the query service.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import type { Context } from '../main.js';
import { parseTime, UsageError } from '../parse.js';
import { resolveRun } from '../resolve.js';
import { runRows, type ExportRow } from '../export-rows.js';
import type { Run } from '../../src/types.js';

interface ExportOptions {
  workflow?: string;
  since?: string;
  format?: string;
  output?: string;
  progress?: boolean;
}

export function registerExport(program: Command, context: Context): void {
  program
    .command('export [run]')
    .description('Export a run (or --workflow W --since T: its runs) to JSON lines or Parquet (written by DuckDB).')
    .option('-w, --workflow <id>', "the run's workflow; without a run: export this workflow's runs")
    .option('--since <time>', 'with --workflow and no run: runs started since (10m, 2h, 1d or an ISO time)')
    .option('-f, --format <format>', 'jsonl or parquet (default: from the output file name, else jsonl)')
    .option('-o, --output <file>', 'write here (default: standard output; Parquet needs a file)')
    .option('--no-progress', 'no progress bar (it is shown only on a terminal anyway)')
    .addHelpText('after', '\nExamples:\n  runlog export r-42 -w etl -o r-42.parquet\n  runlog export -w etl --since 1d > etl.jsonl')
    .action(async (runId: string | undefined, options: ExportOptions) => {
      const client = context.client();
      const format = options.format ?? (options.output?.endsWith('.parquet') ? 'parquet' : 'jsonl');
      if (format !== 'jsonl' && format !== 'parquet') throw new UsageError(`--format: '${format}' is neither jsonl nor parquet`);
      if (format === 'parquet' && !options.output) throw new UsageError('Parquet needs a file: give --output <file.parquet>');

      const runs: Run[] = [];
      if (runId) {
        const ref = await resolveRun(client, runId, options.workflow);
        runs.push(await client.getRun(ref.workflowId, ref.runId));
      } else {
        if (!options.workflow) throw new UsageError('name a run, or --workflow (with --since) for its runs');
        for await (const summary of client.iterateRuns({ workflowId: options.workflow, startTime: options.since ? parseTime(options.since) : null, pageSize: 1000 })) {
          runs.push(await client.getRun(summary.workflowId, summary.runId));
        }
      }

      const totalLogs = runs.reduce((sum, run) => sum + (run.summary?.logCount ?? 0), 0);
      const bar =
        options.progress !== false && context.out.stderrIsTty
          ? new cliProgress.SingleBar({ format: 'export |{bar}| {value}/{total} log records | {runs} runs', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
          : undefined;
      bar?.start(totalLogs, 0, { runs: runs.length });

      // DuckDB is loaded only for Parquet: its native module costs startup time every other command would pay.
      const sink = format === 'parquet' ? await (await import('../parquet.js')).ParquetWriter.open() : undefined;
      const file: WriteStream | undefined = format === 'jsonl' && options.output ? createWriteStream(options.output) : undefined;
      const writeLine = async (row: ExportRow) => {
        const text = `${JSON.stringify(row)}\n`;
        if (file) {
          if (!file.write(text)) await once(file, 'drain');
        } else if (!process.stdout.write(text)) {
          await once(process.stdout, 'drain');
        }
      };
      let rows = 0;
      try {
        for (const run of runs) {
          const { workflowId, runId: id } = run.summary!;
          for await (const row of runRows(client, workflowId, id, run, () => bar?.increment())) {
            rows++;
            if (sink) sink.append(row);
            else await writeLine(row);
          }
        }
        if (sink) await sink.finish(options.output!);
      } finally {
        bar?.stop();
        if (file) {
          file.end();
          await once(file, 'finish');
        }
      }
      if (options.output) context.out.warn(`exported ${rows} rows of ${runs.length} run(s) to ${options.output}`);
    });
}
