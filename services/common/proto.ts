// Loads the runlog.v1 contract once: gRPC service definitions and the EventBatch wire codec.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import type { ProtoGrpcType as IngestProto } from './gen/ingest.js';
import type { ProtoGrpcType as QueryProto } from './gen/query.js';
import type { ProtoGrpcType as StateProto } from './gen/state.js';
import type { Event__Output } from './gen/runlog/v1/Event.js';
import type { Event } from './gen/runlog/v1/Event.js';
import { varintLength } from './wire/writer.js';

export const PROTO_DIR = fileURLToPath(new URL('../../proto', import.meta.url));
export const PROTO_FILES = ['runlog/v1/events.proto', 'runlog/v1/ingest.proto', 'runlog/v1/query.proto', 'runlog/v1/state.proto'];

// The same options produce the generated types in ./gen (see `npm run gen`): keep them in step.
export const LOADER_OPTIONS = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  arrays: true,
  includeDirs: [PROTO_DIR] as string[],
} as const;

export type RunlogProto = IngestProto & QueryProto & StateProto;

export interface LoadedContract {
  packageDefinition: protoLoader.PackageDefinition;
  proto: RunlogProto;
}

export function loadContract(): LoadedContract {
  const packageDefinition = protoLoader.loadSync(PROTO_FILES, LOADER_OPTIONS);
  const proto = grpc.loadPackageDefinition(packageDefinition) as unknown as RunlogProto;
  return { packageDefinition, proto };
}

/** Encodes and decodes the events of one JetStream message (`runlog.v1.EventBatch`). */
export interface EventBatchCodec {
  encode(events: readonly Event[]): Uint8Array;
  decode(bytes: Uint8Array): Event__Output[];
  /** One encoded `Event` (an entry of a batch, without its tag and length). */
  decodeEvent(bytes: Uint8Array): Event__Output;
  /** Encoded size of one event inside a batch, for splitting at the server's max payload. */
  encodedSize(event: Event): number;
  /** A batch of events still in their wire form (each one an encoded `Event`): framed, not decoded and re-encoded. */
  encodeWire(events: readonly Uint8Array[]): Uint8Array;
  /** Size of one wire-form event inside a batch. */
  wireSize(event: Uint8Array): number;
}

/**
 * The protobufjs reflection of some of the contract's files (and what they import), for codecs that
 * skip proto-loader; `protoDir` is where the contract lies (tests load altered copies).
 */
export function loadProtoRoot(files: string | string[], protoDir = PROTO_DIR): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('google/') ? target : `${protoDir}/${target}`);
  root.loadSync(files);
  return root;
}

export function createEventBatchCodec(): EventBatchCodec {
  const root = loadProtoRoot('runlog/v1/events.proto');
  const batchType = root.lookupType('runlog.v1.EventBatch');
  const eventType = root.lookupType('runlog.v1.Event');
  const toObjectOptions = { longs: String, enums: String, defaults: true, oneofs: true, arrays: true };
  // Tag of EventBatch.events: its field number, wire type 2 (length-delimited).
  const eventsTag = (batchType.fields.events.id << 3) | 2;
  return {
    encode: (events) => batchType.encode(batchType.fromObject({ events })).finish(),
    decode: (bytes) => (batchType.toObject(batchType.decode(asBuffer(bytes)), toObjectOptions) as { events: Event__Output[] }).events,
    decodeEvent: (bytes) => eventType.toObject(eventType.decode(asBuffer(bytes)), toObjectOptions) as Event__Output,
    // A repeated message field costs its bytes plus a tag and a length prefix.
    encodedSize: (event) => {
      const length = eventType.encode(eventType.fromObject(event)).len;
      return length + 1 + varintLength(length);
    },
    encodeWire: (events) => {
      const writer = protobuf.Writer.create();
      for (const event of events) writer.uint32(eventsTag).bytes(event);
      return writer.finish();
    },
    wireSize: (event) => event.length + 1 + varintLength(event.length),
  };
}

// protobufjs reads strings from a Node Buffer natively (utf8Slice) and from a plain Uint8Array,
// which is what NATS hands over, with a much slower JS decoder: view it as a Buffer.
const asBuffer = (bytes: Uint8Array) => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
