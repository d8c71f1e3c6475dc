// Issue 19's figure: a 1,000-step Grapheteria workflow saved by RunlogStorage against its FileSystemStorage and SQLiteStorage, per step at steps 10, 100, 1,000.
// The Python side is bench/grapheteria-storages.py (Debian's python3, the Python client, Grapheteria's source as the tests find it).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { envNumber, startServices, type Figure, type FigureScript } from './harness.js';

const PACKAGE_DIR = fileURLToPath(new URL('../clients/python/', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./grapheteria-storages.py', import.meta.url));
const PYTHON = process.env.RUNLOG_PYTHON ?? '/usr/bin/python3';
const STORAGES = ['runlog', 'file-system', 'sqlite'] as const;

type PerCheckpoint = Record<string, { ms_per_step: number; bytes_per_step: number }>;

export const grapheteriaStorages: FigureScript = {
  name: 'grapheteria-storages',
  issue: 19,
  async measure(context) {
    const steps = envNumber('BENCH_GRAPHETERIA_STEPS', 1000);
    const checkpoints = [10, 100, 1000].filter((checkpoint) => checkpoint <= steps);
    const prepared = spawnSync(PYTHON, ['tests/prepare.py', '--no-runnable'], { cwd: PACKAGE_DIR, encoding: 'utf8' });
    const found = prepared.status === 0 ? (JSON.parse(prepared.stdout) as { ok: boolean; problem?: string; grapheteria: { path?: string; skip?: string } }) : undefined;
    const unavailable = !found ? `tests/prepare.py failed: ${prepared.stderr.slice(-500)}` : !found.ok ? found.problem : found.grapheteria.skip;
    if (!found?.ok || !found.grapheteria.path) {
      return [{ id: 'grapheteria.runlog.ms_per_step', title: 'Grapheteria on RunlogStorage: time per step', value: 0, unit: 'ms', warnings: [`not measured: ${unavailable}`] }];
    }
    const services = await startServices(context, { name: 'grapheteria', stream: 'BENCH_GRAPHETERIA', prefix: 'benchgrapheteria', services: ['ingest', 'query'] });
    let results: Record<(typeof STORAGES)[number], PerCheckpoint>;
    try {
      context.progress(`grapheteria-storages: a ${steps}-step workflow on each of ${STORAGES.join(', ')}`);
      const spec = { ingest: services.ingestAddress, query: services.queryAddress, dir: context.tempDir('grapheteria-storages'), steps, checkpoints, window: 10 };
      const run = spawnSync(PYTHON, [SCRIPT, JSON.stringify(spec)], {
        encoding: 'utf8',
        env: { ...process.env, PYTHONPATH: [PACKAGE_DIR, found.grapheteria.path].join(':') },
        maxBuffer: 16 * 1024 * 1024,
      });
      if (run.status !== 0) throw new Error(`bench/grapheteria-storages.py failed:\n${run.stderr.slice(-2000)}`);
      results = JSON.parse(run.stdout.trim().split('\n').pop()!) as typeof results;
    } finally {
      await services.stop();
    }
    const last = String(checkpoints[checkpoints.length - 1]);
    const first = String(checkpoints[0]);
    const figures: Figure[] = [];
    for (const storage of STORAGES) {
      const byStep = results[storage];
      const details = { by_step: byStep, steps, window: 10 };
      const growth = (key: 'ms_per_step' | 'bytes_per_step') => (byStep[first][key] > 0 ? byStep[last][key] / byStep[first][key] : 0);
      figures.push(
        {
          id: `grapheteria.${storage}.ms_per_step`,
          title: `Grapheteria on ${storage}: time per step at step ${last}`,
          value: byStep[last].ms_per_step,
          unit: 'ms',
          details,
          notes: [`${storage}: ms per step at steps ${checkpoints.join(', ')}: ${checkpoints.map((c) => byStep[String(c)].ms_per_step).join(', ')} (×${growth('ms_per_step').toFixed(2)} from step ${first})`],
        },
        {
          id: `grapheteria.${storage}.bytes_per_step`,
          title: `Grapheteria on ${storage}: bytes written per step at step ${last}`,
          value: byStep[last].bytes_per_step,
          unit: 'B',
          // runlog's must stay flat: at step 1,000 no more than 1.5× what it wrote at step 10.
          target: storage === 'runlog' ? { atMost: Math.round(byStep[first].bytes_per_step * 1.5) } : undefined,
          ratios: storage === 'runlog' ? [] : [{ to: 'grapheteria.runlog.bytes_per_step' }],
          details,
          notes: [`${storage}: bytes per step at steps ${checkpoints.join(', ')}: ${checkpoints.map((c) => byStep[String(c)].bytes_per_step).join(', ')}`],
        },
      );
    }
    return figures;
  },
};
