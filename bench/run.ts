// `npm run bench [-- name…]`: runs the figure scripts, prints each figure with its target and its ratios to the
// baselines of the same run, and writes the result to bench/results/<timestamp>.json and bench/results/latest.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { coreCount, createBenchContext, round, type Figure, type FigureScript, type Target } from './harness.js';
import { duckdbAppend } from './duckdb-append.js';
import { jetstreamPublish } from './jetstream-publish.js';
import { endToEnd } from './end-to-end.js';
import { liveRead } from './live-read.js';
import { queryLogsFigures } from './query-logs.js';
import { stateFigures } from './state.js';
import { grapheteriaStorages } from './grapheteria-storages.js';
import { scale } from './scale.js';
import { sdkFigures } from './sdk.js';

// In run order: baselines before the figures that are compared with them.
const SCRIPTS: FigureScript[] = [duckdbAppend, jetstreamPublish, endToEnd, liveRead, queryLogsFigures, stateFigures, grapheteriaStorages, sdkFigures, scale];

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

interface Ratio {
  to: string;
  value: number | null;
  target?: Target;
  met?: boolean;
}

const meets = (value: number, target: Target) => ('atLeast' in target ? value >= target.atLeast : value <= target.atMost);
const describeTarget = (target: Target | undefined, unit = '') =>
  target === undefined ? '' : 'atLeast' in target ? `≥ ${format(target.atLeast)}${unit}` : `≤ ${format(target.atMost)}${unit}`;

function format(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return String(round(value, Math.abs(value) >= 10 ? 1 : 2));
}

function ratiosOf(figure: Figure, all: Figure[]): Ratio[] {
  return (figure.ratios ?? []).map(({ to, target }) => {
    const baseline = all.find((candidate) => candidate.id === to);
    const value = baseline && baseline.value > 0 ? round(figure.value / baseline.value, 3) : null;
    return { to, value, target, met: target && value !== null ? meets(value, target) : undefined };
  });
}

function printTable(figures: Figure[], ratios: Map<string, Ratio[]>, failures: string[]): void {
  const lines: string[][] = [['figure', 'value', 'target', '']];
  for (const figure of figures) {
    const verdict = figure.target ? (meets(figure.value, figure.target) ? 'met' : 'MISSED') : '';
    lines.push([figure.title, `${format(figure.value)} ${figure.unit}`, describeTarget(figure.target), verdict]);
    for (const ratio of ratios.get(figure.id) ?? []) {
      const baseline = figures.find((candidate) => candidate.id === ratio.to);
      const verdictOfRatio = ratio.met === undefined ? '' : ratio.met ? 'met' : 'MISSED';
      lines.push([`  ÷ ${baseline?.title ?? ratio.to}`, ratio.value === null ? 'n/a' : `${format(ratio.value)} ×`, describeTarget(ratio.target, ' ×'), verdictOfRatio]);
    }
  }
  const widths = lines[0].map((_, column) => Math.max(...lines.map((line) => line[column].length)));
  for (const [index, line] of lines.entries()) {
    console.log(line.map((cell, column) => (column === 1 ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('   ').trimEnd());
    if (index === 0) console.log(widths.map((width) => '─'.repeat(width)).join('   '));
  }
  for (const figure of figures) {
    for (const note of figure.notes ?? []) console.log(`note: ${figure.id}: ${note}`);
    for (const warning of figure.warnings ?? []) console.log(`WARNING: ${figure.id}: ${warning}`);
  }
  for (const failure of failures) console.log(`FAILED ${failure}`);
}

function natsServerVersion(): string {
  try {
    return execFileSync('nats-server', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !SCRIPTS.some((script) => script.name === name));
if (unknown.length > 0) {
  console.error(`unknown figure script(s): ${unknown.join(', ')}; known: ${SCRIPTS.map((script) => script.name).join(', ')}`);
  process.exit(2);
}
const selected = wanted.length === 0 ? SCRIPTS : SCRIPTS.filter((script) => wanted.includes(script.name));

const startedAt = new Date();
const machine = {
  cores: coreCount(),
  cpu: cpus()[0]?.model ?? 'unknown',
  memory_gib: round(totalmem() / 1024 ** 3, 1),
  node: process.version,
  nats_server: natsServerVersion(),
};
const sharing = `All processes (nats-server, ingest, persister, load clients, this bench) share these ${machine.cores} cores.`;
console.log(`runlog bench, ${startedAt.toISOString()}: ${machine.cores} cores (${machine.cpu}), ${machine.memory_gib} GiB, Node ${machine.node}, ${machine.nats_server}`);
console.log(sharing);

const context = createBenchContext();
const figures: Figure[] = [];
const failures: string[] = [];
try {
  for (const script of selected) {
    try {
      figures.push(...(await script.measure(context)));
    } catch (error) {
      failures.push(`${script.name}: ${(error as Error)?.stack ?? error}`);
      context.progress(`${script.name} failed: ${(error as Error)?.message ?? error}`);
    }
    await context.deleteStreams();
  }
} finally {
  await context.close();
}

const ratios = new Map(figures.map((figure) => [figure.id, ratiosOf(figure, figures)]));
console.log('');
printTable(figures, ratios, failures);

const result = {
  started_at: startedAt.toISOString(),
  finished_at: new Date().toISOString(),
  machine,
  note: sharing,
  scripts: selected.map((script) => ({ name: script.name, issue: script.issue })),
  figures: figures.map((figure) => ({
    ...figure,
    met: figure.target ? meets(figure.value, figure.target) : undefined,
    ratios: ratios.get(figure.id),
  })),
  failures,
};
mkdirSync(RESULTS_DIR, { recursive: true });
const json = JSON.stringify(result, null, 2) + '\n';
const file = `${RESULTS_DIR}${startedAt.toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(file, json);
writeFileSync(`${RESULTS_DIR}latest.json`, json);
console.log(`\nresult: ${file}`);
process.exit(failures.length > 0 ? 1 : 0);
