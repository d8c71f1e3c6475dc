// The query service's way to the persisters: typed read requests over NATS with a deadline, one partition or all.
import { status } from '@grpc/grpc-js';
import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { RpcError } from '../common/grpc-errors.js';
import { isNoMessageFound, isNoResponders } from '../common/nats-errors.js';
import { decodeReply, type ReadFailure, type ReadRequest, type ReadResult } from '../common/read-protocol.js';
import { partitionOf, type Subjects } from '../common/subjects.js';
import { injectTraceContext } from '../common/telemetry.js';

export interface Answer<T> {
  result: T;
  /** The partition's watermark when it answered. */
  watermark: number;
  /** What the result carries as raw bytes (a page of log records). */
  bytes?: Uint8Array;
}

const NO_RESPONDERS_PAUSE_MS = 100;

/** The gRPC status a client sees for each way a persister refuses a read. */
const STATUS_OF_FAILURE: Record<ReadFailure, status> = {
  'bad-request': status.INVALID_ARGUMENT,
  'not-found': status.NOT_FOUND,
  busy: status.RESOURCE_EXHAUSTED,
  'not-caught-up': status.UNAVAILABLE,
  'store-failed': status.INTERNAL,
};

export class PersisterClient {
  private jsm?: Promise<JetStreamManager>;
  /** Per partition, the watermark its latest answer carried. */
  private readonly watermarks = new Map<number, number>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly streamName: string,
    private readonly timeoutMs: number,
  ) {}

  /**
   * The stream sequence of the workflow's latest message (0 when it has none). Passed as minSeq,
   * it makes a read see every event acked before it began: read your writes.
   */
  async latestSeq(workflowId: string): Promise<number> {
    try {
      this.jsm ??= jetstreamManager(this.nc, { timeout: this.timeoutMs });
      const message = await (await this.jsm).streams.getMessage(this.streamName, { last_by_subj: this.subjects.events(workflowId) });
      return message?.seq ?? 0;
    } catch (error) {
      if (isNoMessageFound(error)) return 0;
      this.jsm = undefined;
      throw new RpcError(status.UNAVAILABLE, `the event stream did not answer (${(error as Error).message})`);
    }
  }

  get partitionCount(): number {
    return this.subjects.partitionCount;
  }

  partitionOf(workflowId: string): number {
    return partitionOf(workflowId, this.subjects.partitionCount);
  }

  /** How far the partition had stored when it last answered (undefined before its first answer): where a look at the stream's unstored tail starts. */
  lastWatermark(partition: number): number | undefined {
    return this.watermarks.get(partition);
  }

  /** Asks one partition's persister. A persister that does not answer in time is UNAVAILABLE, never a silent gap. */
  async ask<R extends ReadRequest>(partition: number, request: R): Promise<Answer<ReadResult[R['op']]>> {
    const data = await this.request(partition, JSON.stringify(request));
    const { reply, bytes } = decodeReply<R['op']>(data);
    if (!reply.ok) throw new RpcError(STATUS_OF_FAILURE[reply.failure], `partition ${partition}: ${reply.message}`);
    this.watermarks.set(partition, reply.watermark);
    return { result: reply.result, watermark: reply.watermark, bytes };
  }

  /**
   * One request-reply within the read timeout. "No responders" means the persister is not
   * subscribed right now (restarting, or reconnecting after NATS came back): ask again until the
   * deadline rather than failing a subscription over a blip.
   */
  private async request(partition: number, payload: string): Promise<Uint8Array> {
    const deadline = Date.now() + this.timeoutMs;
    // The read joins the calling RPC's trace (the persister's read span is its child).
    let headers: MsgHdrs | undefined;
    injectTraceContext({ get: (key) => headers?.get(key), set: (key, value) => (headers ??= natsHeaders()).set(key, value) });
    for (;;) {
      const remaining = deadline - Date.now();
      try {
        if (remaining <= 0) throw new Error('no answer before the deadline');
        return (await this.nc.request(this.subjects.read(partition), payload, { timeout: remaining, headers })).data;
      } catch (error) {
        const message = String((error as Error)?.message ?? error);
        if (isNoResponders(error) && deadline - Date.now() > NO_RESPONDERS_PAUSE_MS) {
          await new Promise((resolve) => setTimeout(resolve, NO_RESPONDERS_PAUSE_MS));
          continue;
        }
        throw new RpcError(status.UNAVAILABLE, `partition ${partition} did not answer within ${this.timeoutMs} ms (${message})`);
      }
    }
  }

  /** Asks every partition at once; any failure fails the whole answer. */
  askAll<R extends ReadRequest>(request: (partition: number) => R): Promise<Answer<ReadResult[R['op']]>[]> {
    return Promise.all(Array.from({ length: this.partitionCount }, (_, partition) => this.ask(partition, request(partition))));
  }
}
