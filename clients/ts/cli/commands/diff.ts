// `runlog diff <runA> <runB>`: where two runs (typically a fork and its parent) diverge.
import type { Command } from 'commander';
import type { Context } from '../main.js';
import { resolveRun, refText } from '../resolve.js';
import { diffRuns, type JsonChange, type RunView } from '../run-diff.js';
import { colorStatus } from '../output.js';
import type { RunlogClient } from '../../src/client.js';
import type { Json } from '../../src/convert.js';

export function registerDiff(program: Command, context: Context): void {
  program
    .command('diff <runA> <runB>')
    .description('Where two runs diverge: first differing step, changed state keys per step, status and parameters.')
    .option('-w, --workflow <id>', 'workflow of both runs')
    .option('--workflow-b <id>', 'workflow of the second run, when it differs')
    .option('--json', 'the differences as one JSON object')
    .addHelpText('after', '\nExample:\n  runlog diff r-42 r-42-fork -w etl')
    .action(async (runA: string, runB: string, options: { workflow?: string; workflowB?: string; json?: boolean }) => {
      const client = context.client();
      const refA = await resolveRun(client, runA, options.workflow);
      const refB = await resolveRun(client, runB, options.workflowB ?? options.workflow);
      const [a, b] = await Promise.all([runView(client, refA), runView(client, refB)]);
      const diff = diffRuns(a, b);
      if (options.json) return context.out.json(diff);
      const { colors, line } = context.out;
      line(`${colors.bold(diff.a)} vs ${colors.bold(diff.b)}`);
      if (diff.firstDifferingStep === null) line('same steps and states');
      else line(`steps 0..${diff.commonSteps - 1} are the same; first differing step: ${colors.bold(String(diff.firstDifferingStep))}`);
      for (const step of diff.steps) {
        const nodes = step.nodeA === step.nodeB ? `node ${step.nodeA}` : `node ${step.nodeA ?? '(none)'} vs ${step.nodeB ?? '(none)'}`;
        line(`${colors.bold(`step ${step.step}`)} ${nodes}${step.nodeA === undefined || step.nodeB === undefined ? ` (only in ${step.nodeA === undefined ? diff.b : diff.a})` : ''}`);
        for (const change of step.changes) line(`  ${formatChange(context, change)}`);
      }
      if (diff.status) line(`status: ${colorStatus(colors, diff.status.a)} vs ${colorStatus(colors, diff.status.b)}`);
      if (diff.parameters.length > 0) {
        line('parameters:');
        for (const change of diff.parameters) line(`  ${formatChange(context, change)}`);
      }
    });
}

function formatChange(context: Context, change: JsonChange): string {
  const { colors } = context.out;
  const side = (value: Json | undefined) => (value === undefined ? colors.dim('(absent)') : JSON.stringify(value));
  return `${change.path}: ${colors.red(side(change.a))} → ${colors.green(side(change.b))}`;
}

async function runView(client: RunlogClient, ref: { workflowId: string; runId: string }): Promise<RunView> {
  const run = await client.getRun(ref.workflowId, ref.runId);
  const steps = [];
  for await (const step of client.iterateSteps({ run: ref, pageSize: 1000 })) {
    steps.push({ step: step.step, nodeId: step.nodeId, state: step.stateJson ? (JSON.parse(step.stateJson) as Json) : null });
  }
  return { ref: refText(ref), status: run.summary?.status ?? '', parameters: run.parameters ?? {}, steps };
}
