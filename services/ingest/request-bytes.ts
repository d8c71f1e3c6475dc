// Decodes ingest's requests keeping each event's wire bytes, so publish forwards them instead of encoding the events again.
//
// Re-encoding the decoded events cost ingest more CPU than decoding them. The bytes forwarded are the
// very bytes ingest decoded and validated, and the persister decodes them with the same schema, so it
// reads exactly the events that passed validation. Anything the scan does not expect leaves the
// request without wire bytes, and publish encodes the decoded events.
import type * as grpc from '@grpc/grpc-js';
import type { AppendRequest__Output } from '../common/gen/runlog/v1/AppendRequest.js';
import type { AppendStreamRequest__Output } from '../common/gen/runlog/v1/AppendStreamRequest.js';
import type { Event__Output } from '../common/gen/runlog/v1/Event.js';
import { LEVEL_BY_NUMBER } from '../common/enums.js';
import type { EventBatchCodec } from '../common/proto.js';
import { WIRE_FIELDS } from '../common/wire/fields.js';
import { FIELD, LogEventScanner } from '../common/wire/log-event-scan.js';
import { fieldsAlong, tagOf, WIRE_TYPE, WireReader } from '../common/wire/reader.js';

/** An AppendRequest as the handlers receive it: decoded, and each event's wire bytes when known. */
export interface ReceivedAppend {
  request: AppendRequest__Output;
  /** One encoded `Event` per event of the request, in order; undefined when not known. */
  eventBytes: readonly Uint8Array[] | undefined;
  /** Size of the request on the wire (for the bytes metric). */
  wireBytes: number;
}

const { appendRequest, appendStreamRequest } = WIRE_FIELDS;
const REQUEST_ID_TAG = tagOf(appendRequest.requestId, WIRE_TYPE.LENGTH_DELIMITED);
const EVENTS_TAG = tagOf(appendRequest.events, WIRE_TYPE.LENGTH_DELIMITED);
const STREAM_REQUEST_TAG = tagOf(appendStreamRequest.request, WIRE_TYPE.LENGTH_DELIMITED);

function received(request: AppendRequest__Output, eventBytes: Uint8Array[] | null, wireBytes: number): ReceivedAppend {
  return { request, eventBytes: eventBytes && eventBytes.length === request.events.length ? eventBytes : undefined, wireBytes };
}

/** Decodes AppendStreamRequests: log events by the scanner, others one by one with protobufjs. */
class StreamRequestDecoder {
  private readonly scanner = new LogEventScanner();
  private readonly reader = new WireReader();

  constructor(private readonly codec: EventBatchCodec) {}

  /**
   * The request with its events (protobufjs spent most of ingest's decoding CPU on message objects
   * and toObject); null when it holds anything unexpected: the caller then decodes it whole.
   */
  decode(bytes: Buffer): ReceivedAppend | null {
    try {
      const reader = this.reader.at(bytes);
      let body: Uint8Array | undefined;
      while (!reader.done) {
        if (reader.varint() !== STREAM_REQUEST_TAG || body) return null;
        body = reader.lengthDelimited();
      }
      if (!body) return null;
      reader.at(body);
      let requestId: string | undefined;
      const events: Event__Output[] = [];
      const eventBytes: Uint8Array[] = [];
      while (!reader.done) {
        const tag = reader.varint();
        if (tag === REQUEST_ID_TAG && requestId === undefined) {
          const id = reader.lengthDelimited();
          requestId = Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('utf8');
          continue;
        }
        if (tag !== EVENTS_TAG) return null;
        const event = reader.lengthDelimited();
        eventBytes.push(event);
        events.push(this.scanner.scan(event, 0, event.length) ? this.scannedLogEvent(event) : this.codec.decodeEvent(event));
      }
      return received({ requestId: requestId ?? '', events }, eventBytes, bytes.length);
    } catch {
      return null;
    }
  }

  /** The scanned log event as protobufjs would decode it with the loader's options. */
  private scannedLogEvent(event: Uint8Array): Event__Output {
    const scanner = this.scanner;
    const buffer = Buffer.from(event.buffer, event.byteOffset, event.byteLength);
    const text = (at: number) => buffer.toString('utf8', scanner.fields[at], scanner.fields[at + 1]);
    return {
      workflowId: text(FIELD.workflowId),
      runId: text(FIELD.runId),
      kind: 'log',
      log: {
        taskName: text(FIELD.taskName),
        taskInstanceId: text(FIELD.taskInstanceId),
        time: scanner.hasTime ? { seconds: String(scanner.seconds), nanos: scanner.nanos } : null,
        level: LEVEL_BY_NUMBER[scanner.level],
        message: text(FIELD.message),
        attributes: {},
        traceId: text(FIELD.traceId),
        spanId: text(FIELD.spanId),
      },
    };
  }
}

type MethodDefinition = grpc.MethodDefinition<object, object>;

/** IngestService's definition with deserializers that hand the handlers a ReceivedAppend (each request's event bytes beside it). */
export function receivingEventBytes<D extends grpc.ServiceDefinition>(definition: D, codec: EventBatchCodec): D {
  const append = definition.Append as MethodDefinition;
  const appendStream = definition.AppendStream as MethodDefinition;
  const streamDecoder = new StreamRequestDecoder(codec);
  return {
    ...definition,
    Append: {
      ...append,
      requestDeserialize: (bytes: Buffer): ReceivedAppend =>
        received(append.requestDeserialize(bytes) as AppendRequest__Output, fieldsAlong(bytes, [appendRequest.events]), bytes.length),
    },
    AppendStream: {
      ...appendStream,
      requestDeserialize: (bytes: Buffer): ReceivedAppend => {
        const scanned = streamDecoder.decode(bytes);
        if (scanned) return scanned;
        const message = appendStream.requestDeserialize(bytes) as AppendStreamRequest__Output;
        const request = message.request ?? { requestId: '', events: [] };
        return received(request, message.request ? fieldsAlong(bytes, [appendStreamRequest.request, appendRequest.events]) : null, bytes.length);
      },
    },
  };
}
