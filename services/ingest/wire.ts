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

const EVENT_BYTES = Symbol('runlog.eventBytes');
type WithEventBytes = { [EVENT_BYTES]?: readonly Uint8Array[] };

// Field numbers in proto/runlog/v1/ingest.proto.
const APPEND_REQUEST_EVENTS = 2;
const APPEND_STREAM_REQUEST_REQUEST = 1;
const LENGTH_DELIMITED = 2;

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

type MethodDefinition = grpc.MethodDefinition<object, object>;

/** IngestService's definition with deserializers that also keep each event's wire bytes (see eventBytesOf). */
export function keepingEventBytes<D extends grpc.ServiceDefinition>(definition: D): D {
  const append = definition.Append as MethodDefinition;
  const appendStream = definition.AppendStream as MethodDefinition;
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
        const message = appendStream.requestDeserialize(bytes) as AppendStreamRequest__Output;
        remember(message.request, fieldSlices(bytes, [APPEND_STREAM_REQUEST_REQUEST, APPEND_REQUEST_EVENTS]));
        return message;
      },
    },
  };
}
