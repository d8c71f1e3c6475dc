// An agent process for the logger's crash tests: logs numbered records (and reports once they are spilled), or only replays what a dead agent spilled.
import { RunlogClient } from '../../clients/ts/src/index.js';

const [mode, ingestAddress, spillDir, workflowId, runId, countText] = process.argv.slice(2);
const client = new RunlogClient({ ingestAddress });
const logger = client.logger({ spillDir, maxBufferedEvents: 1000, maxBatchEvents: 100, flushIntervalMs: 5, backoff: { initialDelayMs: 50, maxDelayMs: 200 } });

if (mode === 'log') {
  const count = Number(countText);
  const run = logger.run(workflowId, runId);
  for (let i = 0; i < count; i++) run.log.info(`m ${i}`);
  // The first 1,000 stay in memory (the service is away); the rest must be on disk before we say so.
  while (logger.stats().spilled < count - 1000) await new Promise((resolve) => setTimeout(resolve, 10));
  process.stdout.write(`${JSON.stringify(logger.stats())}\n`);
  // Wait to be killed.
  setInterval(() => undefined, 1000);
} else if (mode === 'exit') {
  // Logs, then leaves without close(): the logger's exit hook must put everything in memory on disk.
  const run = logger.run(workflowId, runId);
  for (let i = 0; i < Number(countText); i++) run.log.info(`m ${i}`);
  await new Promise((resolve) => setTimeout(resolve, 100));
  process.stdout.write(`${JSON.stringify(logger.stats())}\n`);
  process.exit(0);
} else {
  const stats = await logger.close();
  process.stdout.write(`${JSON.stringify(stats)}\n`);
  client.close();
}
