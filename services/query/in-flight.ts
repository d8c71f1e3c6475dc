// Events in the stream that a persister has not stored yet: a read waits for them only when they concern its runs.
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { EventBatchCodec } from '../common/proto.js';
import type { Subjects } from '../common/subjects.js';

// Past this many unstored messages of the workflow, reading them costs more than waiting.
const MAX_MESSAGES_LOOKED_AT = 16;

export class InFlightEvents {
  private jsm?: Promise<JetStreamManager>;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly streamName: string,
    private readonly codec: EventBatchCodec,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Whether a message of the workflow after `storedSeq`, up to `latestSeq`, holds an event of one
   * of the runs. True also when there are too many to look at or the stream does not answer: the
   * caller then waits for the persister, which is always right.
   */
  async concern(workflowId: string, storedSeq: number, latestSeq: number, runIds: readonly string[]): Promise<boolean> {
    if (latestSeq <= storedSeq) return false;
    const subject = this.subjects.events(workflowId);
    const runs = new Set(runIds);
    try {
      this.jsm ??= jetstreamManager(this.nc, { timeout: this.timeoutMs });
      const jsm = await this.jsm;
      let seq = storedSeq + 1;
      for (let looked = 0; looked < MAX_MESSAGES_LOOKED_AT; looked++) {
        const message = await jsm.direct.getMessage(this.streamName, { seq, next_by_subj: subject });
        if (!message || message.seq > latestSeq) return false;
        if (this.codec.decode(message.data).some((event) => runs.has(event.runId))) return true;
        seq = message.seq + 1;
      }
      return true;
    } catch {
      this.jsm = undefined;
      return true;
    }
  }
}
