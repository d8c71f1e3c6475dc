// Child process of the SDK figures: an agent logging through the SDK's batching logger as fast as it takes them. Prints one JSON line.
import { RunlogClient } from '../clients/ts/src/index.js';
import type { LogLevelName } from '../clients/ts/src/types.js';
import { logEvents } from './workload.js';

export interface SdkAgentConfig {
  address: string;
  records: number;
  spillDir: string;
}

export interface SdkAgentResult {
  records: number;
  acked: number;
  spilled: number;
  firstLogAt: number;
  closedAt: number;
  cpuSeconds: number;
}

const config = JSON.parse(process.argv[2]) as SdkAgentConfig;
// The load client's records (same messages, runs, tasks and levels), built before the clock starts.
const templates = logEvents('bench-sdk', 8000, 7).map((event) => ({ runId: event.runId!, task: event.log!.taskName!, level: event.log!.level as LogLevelName, message: event.log!.message! }));
const client = new RunlogClient({ ingestAddress: config.address });
const logger = client.logger({ spillDir: config.spillDir, ...(process.env.BENCH_SDK_INFLIGHT ? { maxInFlightBatches: Number(process.env.BENCH_SDK_INFLIGHT) } : {}), ...(process.env.BENCH_SDK_BATCH ? { maxBatchEvents: Number(process.env.BENCH_SDK_BATCH) } : {}) });
const runs = new Map<string, ReturnType<typeof logger.run>>();
const tasks = templates.map((t) => {
  const run = runs.get(t.runId) ?? logger.run('bench-sdk', t.runId);
  runs.set(t.runId, run);
  return run.task(t.task, { instanceId: `${t.task}#1` }).log;
});

const cpuBefore = process.cpuUsage();
const firstLogAt = Date.now();
let logged = 0;
while (logged < config.records) {
  // An agent logs between pieces of work; here the work is nothing: every 1,000 records it lets the
  // logger slow it to the service's pace (logger.ready()), as an agent that can await does.
  const end = Math.min(config.records, logged + 1000);
  for (; logged < end; logged++) {
    const template = templates[logged % templates.length];
    tasks[logged % templates.length].write(template.level, template.message);
  }
  await logger.ready();
  await new Promise((resolve) => setImmediate(resolve));
}
const stats = await logger.close();
const closedAt = Date.now();
client.close();
const cpu = process.cpuUsage(cpuBefore);
const result: SdkAgentResult = { records: logged, acked: stats.acked, spilled: stats.spilled, firstLogAt, closedAt, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
process.stdout.write(`${JSON.stringify(result)}\n`);
