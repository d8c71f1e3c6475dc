// `runlog state`, `resume`, `fork` and `lineage`: time travel from the terminal.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Context } from '../main.js';
import { collectList, collectPair, parseInteger, UsageError } from '../parse.js';
import { resolveRun } from '../resolve.js';
import { lineageTree } from './read.js';
import { formatTime } from '../output.js';
import { missingNodes } from '../../src/errors.js';
import type { Json, JsonObject } from '../../src/convert.js';
import type { StepState } from '../../src/types.js';

export function registerStateCommands(program: Command, context: Context): void {
  program
    .command('state <run>')
    .description("A run's state after one step (default: the latest).")
    .option('-w, --workflow <id>', "the run's workflow (found by listing runs when not given)")
    .option('--step <n>', 'this step', parseInteger)
    .option('--json', 'the whole step state as JSON (state parsed)')
    .addHelpText('after', '\nExample:\n  runlog state r-42 -w etl --step 3')
    .action(async (runId: string, options: { workflow?: string; step?: number; json?: boolean }) => {
      const client = context.client();
      const run = await resolveRun(client, runId, options.workflow);
      const state = await client.getState({ run, step: options.step });
      if (options.json) return context.out.json(withParsedState(state));
      printState(context, state);
    });

  program
    .command('resume <run>')
    .description('Validate resuming a run from a step against the current node ids; lists missing nodes on refusal.')
    .option('-w, --workflow <id>', "the run's workflow")
    .requiredOption('--nodes <ids>', 'node ids of the current workflow definition (comma-separated, repeatable)', collectList)
    .option('--from <n>', 'step to continue from (default: the latest)', parseInteger)
    .option('--json', 'the answer as JSON')
    .addHelpText('after', '\nExample:\n  runlog resume r-42 -w etl --from 3 --nodes load,transform,save')
    .action(async (runId: string, options: { workflow?: string; nodes: string[]; from?: number; json?: boolean }) => {
      const client = context.client();
      const run = await resolveRun(client, runId, options.workflow);
      try {
        const resumed = await client.resume({ run, resumeFrom: options.from, nodeIds: options.nodes });
        if (options.json) return context.out.json({ ...resumed, state: resumed.state && withParsedState(resumed.state) });
        context.out.line(`resume ${run.workflowId}/${run.runId} from step ${resumed.state?.step}: write step ${resumed.nextStep} next`);
        if (resumed.state) printState(context, resumed.state);
      } catch (error) {
        const missing = missingNodes(error);
        if (!missing) throw error;
        const more = missing.count > missing.nodeIds.length ? ` (and ${missing.count - missing.nodeIds.length} more)` : '';
        throw new Error(`cannot resume: ${missing.count} node(s) missing from the definition: ${missing.nodeIds.join(', ')}${more}`);
      }
    });

  program
    .command('fork <run>')
    .description('Create a new run sharing the parent run\'s steps 0..N, optionally patching state and parameters.')
    .option('-w, --workflow <id>', "the run's workflow")
    .requiredOption('--at <n>', 'last parent step the fork shares', parseInteger)
    .option('--id <run id>', 'id of the new run (default: made by the service)')
    .option('--patch <file.json>', 'JSON merge patch (RFC 7386) for the state at the fork point')
    .option('--param <key=value>', 'parameter of the new run; value parsed as JSON when it is JSON (repeatable)', collectPair)
    .option('--tag <key=value>', 'tag of the new run (repeatable)', collectPair)
    .option('--json', 'the answer as JSON')
    .addHelpText('after', '\nExample:\n  runlog fork r-42 -w etl --at 3 --patch fix.json --param retries=5')
    .action(async (runId: string, options: { workflow?: string; at: number; id?: string; patch?: string; param?: Record<string, string>; tag?: Record<string, string>; json?: boolean }) => {
      const client = context.client();
      const run = await resolveRun(client, runId, options.workflow);
      let parameters: JsonObject | null = null;
      if (options.param) {
        // --param sets keys on top of the parent's parameters (the service takes a whole set or none).
        const parent = await client.getRun(run.workflowId, run.runId);
        parameters = { ...(parent.parameters ?? {}) };
        for (const [key, value] of Object.entries(options.param)) parameters[key] = parseJsonOrText(value);
      }
      let patch = '';
      if (options.patch) {
        patch = readFileSync(options.patch, 'utf8');
        try {
          JSON.parse(patch);
        } catch {
          throw new UsageError(`--patch: ${options.patch} is not JSON`);
        }
      }
      const forked = await client.fork({ run, fromStep: options.at, newRunId: options.id ?? '', tags: options.tag ?? {}, statePatchJson: patch, parameters });
      if (options.json) return context.out.json({ ...forked, state: forked.state && withParsedState(forked.state) });
      context.out.line(`forked ${run.workflowId}/${run.runId} at step ${options.at}: new run ${forked.run?.runId}`);
    });

  program
    .command('lineage <run>')
    .description('Ancestors of a run and the tree of its forks.')
    .option('-w, --workflow <id>', "the run's workflow")
    .option('--json', 'the lineage as JSON')
    .addHelpText('after', '\nExample:\n  runlog lineage r-42 -w etl')
    .action(async (runId: string, options: { workflow?: string; json?: boolean }) => {
      const client = context.client();
      const run = await resolveRun(client, runId, options.workflow);
      const lineage = await client.getLineage(run);
      if (options.json) return context.out.json(lineage);
      for (const line of lineageTree(context.out, lineage, run.runId)) context.out.line(line);
    });
}

function parseJsonOrText(value: string): Json {
  try {
    return JSON.parse(value) as Json;
  } catch {
    return value;
  }
}

function withParsedState(state: StepState): Omit<StepState, 'stateJson'> & { state: Json } {
  const { stateJson, ...rest } = state;
  return { ...rest, state: stateJson ? (JSON.parse(stateJson) as Json) : null };
}

function printState(context: Context, state: StepState): void {
  const { colors } = context.out;
  context.out.line(`${colors.bold(`step ${state.step}`)} node ${state.nodeId} at ${formatTime(state.time)}${state.sourceRunId && state.sourceRunId !== state.run?.runId ? ` (inherited from ${state.sourceRunId})` : ''}`);
  if (state.awaitingInput) context.out.line(colors.yellow('awaiting input'));
  if (state.nextNodeIds.length > 0) context.out.line(`next: ${state.nextNodeIds.join(', ')}`);
  context.out.line(state.stateJson ? JSON.stringify(JSON.parse(state.stateJson), null, 2) : '(no state)');
}
