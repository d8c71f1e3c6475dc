// Keeps each event's wire bytes beside the decoded request, so publish forwards them instead of encoding the events again.
//
// Re-encoding the decoded events cost ingest more CPU than decoding them. The bytes forwarded are the
// very bytes ingest decoded and validated, and the persister decodes them with the same schema, so it
// reads exactly the events that passed validation. Anything the scan does not expect leaves the
// request without wire bytes, and publish encodes the decoded events as before.
import protobuf from 'protobufjs';
import type * as grpc from '@grpc/grpc-js';
import type { AppendRequest__Output } from '../common/gen/runlog/v1/AppendRequest.js';
import type { AppendStreamRequest__Output } from '../common/gen/runlog/v1/AppendStreamRequest.js';
import type { Event__Output } from '../common/gen/runlog/v1/Event.js';
import type { LogLevel__Output } from '../common/gen/runlog/v1/LogLevel.js';
import { createEventBatchCodec, type EventBatchCodec } from '../common/proto.js';
import { FIELD, scanLogEvent, scanned } from '../common/wire/log-event-scan.js';

const EVENT_BYTES = Symbol('runlog.eventBytes');
type WithEventBytes = { [EVENT_BYTES]?: readonly Uint8Array[] };

// Field numbers in proto/runlog/v1/ingest.proto.
const APPEND_REQUEST_REQUEST_ID = 1;
const APPEND_REQUEST_EVENTS = 2;
const APPEND_STREAM_REQUEST_REQUEST = 1;
const LENGTH_DELIMITED = 2;
const tagOf = (field: number) => (field << 3) | LENGTH_DELIMITED;
const LEVELS: LogLevel__Output[] = ['LOG_LEVEL_UNSPECIFIED', 'LOG_LEVEL_TRACE', 'LOG_LEVEL_DEBUG', 'LOG_LEVEL_INFO', 'LOG_LEVEL_WARN', 'LOG_LEVEL_ERROR', 'LOG_LEVEL_FATAL'];

/**
 * The length-delimited fields found by following `path` (field numbers, outermost first), in wire
 * order. Every field but the last on the path is a singular message: like protobufjs's decoder, the
 * last occurrence counts. Null on malformed input.
 */
export function fieldSlices(bytes: Uint8Array, path: readonly number[]): Uint8Array[] | null {
  const found: Uint8Array[] = [];
  const visit = (message: Uint8Array, depth: number): void => {
    const reader = protobuf.Reader.create(message);
    let inner: Uint8Array | undefined;
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      if (tag >>> 3 === path[depth] && (tag & 7) === LENGTH_DELIMITED) {
        const length = reader.uint32();
        if (reader.pos + length > reader.len) throw new RangeError('field runs past the message');
        const field = message.subarray(reader.pos, reader.pos + length);
        reader.pos += length;
        if (depth === path.length - 1) found.push(field);
        else inner = field;
      } else reader.skipType(tag & 7);
    }
    if (inner) visit(inner, depth + 1);
  };
  try {
    visit(bytes, 0);
    return found;
  } catch {
    return null;
  }
}

/** The wire bytes of the request's events, one per event in order; undefined when not known. */
export function eventBytesOf(request: AppendRequest__Output): readonly Uint8Array[] | undefined {
  const events = (request as WithEventBytes)[EVENT_BYTES];
  return events && events.length === request.events.length ? events : undefined;
}

function remember(request: AppendRequest__Output | null | undefined, events: Uint8Array[] | null): void {
  if (request && events) (request as WithEventBytes)[EVENT_BYTES] = events;
}

function text(event: Buffer, at: number): string {
  return event.toString('utf8', scanned.fields[at], scanned.fields[at + 1]);
}

/** The scanned log event (see scanLogEvent) as protobufjs would decode it with the loader's options. */
function scannedLogEvent(event: Buffer): Event__Output {
  return {
    workflowId: text(event, FIELD.workflowId),
    runId: text(event, FIELD.runId),
    kind: 'log',
    log: {
      taskName: text(event, FIELD.taskName),
      taskInstanceId: text(event, FIELD.taskInstanceId),
      time: scanned.hasTime ? { seconds: String(scanned.seconds), nanos: scanned.nanos } : null,
      level: LEVELS[scanned.level],
      message: text(event, FIELD.message),
      attributes: {},
      traceId: text(event, FIELD.traceId),
      spanId: text(event, FIELD.spanId),
    },
  };
}

/**
 * An AppendStreamRequest decoded with log events read by the scanner (protobufjs spent most of
 * ingest's decoding CPU on message objects and toObject); other events are decoded one by one with
 * protobufjs. Null when the request holds anything unexpected: the caller then decodes it whole.
 */
function scannedStreamRequest(bytes: Buffer, codec: EventBatchCodec): AppendStreamRequest__Output | null {
  try {
    const outer = protobuf.Reader.create(bytes);
    let body: Buffer | undefined;
    while (outer.pos < outer.len) {
      if (outer.uint32() !== tagOf(APPEND_STREAM_REQUEST_REQUEST) || body) return null;
      const length = outer.uint32();
      if (outer.pos + length > outer.len) return null;
      body = bytes.subarray(outer.pos, (outer.pos += length));
    }
    if (!body) return null;
    const reader = protobuf.Reader.create(body);
    let requestId: string | undefined;
    const events: Event__Output[] = [];
    const eventBytes: Buffer[] = [];
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      if (tag === tagOf(APPEND_REQUEST_REQUEST_ID) && requestId === undefined) {
        requestId = reader.string();
        continue;
      }
      if (tag !== tagOf(APPEND_REQUEST_EVENTS)) return null;
      const length = reader.uint32();
      if (reader.pos + length > reader.len) return null;
      const event = body.subarray(reader.pos, (reader.pos += length));
      eventBytes.push(event);
      events.push(scanLogEvent(event, 0, event.length) ? scannedLogEvent(event) : codec.decodeEvent(event));
    }
    const request: AppendRequest__Output = { requestId: requestId ?? '', events };
    remember(request, eventBytes);
    return { request };
  } catch {
    return null;
  }
}

type MethodDefinition = grpc.MethodDefinition<object, object>;

/** IngestService's definition with deserializers that also keep each event's wire bytes (see eventBytesOf). */
export function keepingEventBytes<D extends grpc.ServiceDefinition>(definition: D): D {
  const append = definition.Append as MethodDefinition;
  const appendStream = definition.AppendStream as MethodDefinition;
  const codec = createEventBatchCodec();
  return {
    ...definition,
    Append: {
      ...append,
      requestDeserialize: (bytes: Buffer) => {
        const request = append.requestDeserialize(bytes) as AppendRequest__Output;
        remember(request, fieldSlices(bytes, [APPEND_REQUEST_EVENTS]));
        return request;
      },
    },
    AppendStream: {
      ...appendStream,
      requestDeserialize: (bytes: Buffer) => {
        const scanned = scannedStreamRequest(bytes, codec);
        if (scanned) return scanned;
        const message = appendStream.requestDeserialize(bytes) as AppendStreamRequest__Output;
        remember(message.request, fieldSlices(bytes, [APPEND_STREAM_REQUEST_REQUEST, APPEND_REQUEST_EVENTS]));
        return message;
      },
    },
  };
}
