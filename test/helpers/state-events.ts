// Builders of the events time travel works on (RunStarted, StepSnapshot), and a partition store fed in-process for timeline tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Event } from '../../services/common/gen/runlog/v1/Event.js';
import { createEventBatchCodec } from '../../services/common/proto.js';
import { PartitionStore, type StoredMessage } from '../../services/persister/write/partition-store.js';

/** The state a test run writes at a step: recognisable, and different in every run and timeline. */
export function stateAt(runId: string, step: number, timeline = 'a'): string {
  return JSON.stringify({ run: runId, step, timeline, counter: step * 7, note: `after step ${step}` });
}

export function runStarted(workflowId: string, runId: string, nodeIds: string[] = ['start', 'work', 'end']): Event {
  return { workflowId, runId, runStarted: { workflowName: 'time-travel', tags: { team: 'qa' }, parameters: { fields: { size: { numberValue: 3 } } }, nodeIds } };
}

export interface StepOptions {
  timeline?: string;
  nodeId?: string;
  processed?: string[];
  waiting?: string[];
  state?: string;
}

export function stepEvent(workflowId: string, runId: string, step: number, options: StepOptions = {}): Event {
  return {
    workflowId,
    runId,
    step: {
      step,
      nodeId: options.nodeId ?? `node-${step % 3}`,
      stateJson: options.state ?? stateAt(runId, step, options.timeline),
      awaitingInput: step % 5 === 4,
      nextNodeIds: [`node-${(step + 1) % 3}`],
      processedNodeIds: options.processed ?? [`node-${step % 3}`],
      waitingNodeIds: options.waiting ?? [],
      time: { seconds: String(1_750_000_000 + step), nanos: 0 },
    },
  };
}

/** Steps from..to (inclusive) of one run. */
export function stepEvents(workflowId: string, runId: string, from: number, to: number, options: StepOptions = {}): Event[] {
  return Array.from({ length: to - from + 1 }, (_, i) => stepEvent(workflowId, runId, from + i, options));
}

/** A PartitionStore in a temp folder, fed messages directly (no NATS): each `write` is one stream message. */
export class InProcessPartition {
  private seq = 0;
  private readonly codec = createEventBatchCodec();

  private constructor(
    readonly store: PartitionStore,
    readonly connection: DuckDBConnection,
    private readonly dir: string,
  ) {}

  static async open(): Promise<InProcessPartition> {
    const dir = mkdtempSync(join(tmpdir(), 'runlog-timeline-'));
    const store = await PartitionStore.open(join(dir, 'partition-0.duckdb'));
    return new InProcessPartition(store, await store.connect(), dir);
  }

  /** Stores the events as one message; returns its stream sequence. */
  async write(events: Event[]): Promise<number> {
    const batch = this.batch(events);
    await this.store.applyBatch(batch);
    return batch[0].seq;
  }

  /** The events as the next message, in a batch of its own (not stored). */
  batch(events: Event[]): StoredMessage[] {
    // Encoding and decoding gives the events the defaults a real message would have.
    return [{ seq: ++this.seq, ingestMicros: BigInt(Date.now()) * 1000n, events: this.codec.decode(this.codec.encode(events)) }];
  }

  close(): void {
    this.connection.closeSync();
    this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
