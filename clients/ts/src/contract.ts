// Loads the runlog.v1 contract for the SDK: grpc-js service constructors and the protobufjs reflection used to convert values.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import type { ProtoGrpcType as IngestProto } from './gen/ingest.js';
import type { ProtoGrpcType as QueryProto } from './gen/query.js';
import type { ProtoGrpcType as StateProto } from './gen/state.js';

// The repository's proto/ is the one source of the contract; the SDK reads it where it lies.
export const PROTO_DIR = fileURLToPath(new URL('../../../proto', import.meta.url));
export const PROTO_FILES = ['runlog/v1/events.proto', 'runlog/v1/ingest.proto', 'runlog/v1/query.proto', 'runlog/v1/state.proto'];

// The same options produce the generated types in ./gen (see this package's `npm run gen`): keep them in step.
// int64 fields come as numbers: they are counts and step numbers, far below 2^53.
export const LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  arrays: true,
  includeDirs: [PROTO_DIR] as string[],
} as const;

export type RunlogProto = IngestProto & QueryProto & StateProto;

export interface Contract {
  readonly proto: RunlogProto;
  /** protobufjs reflection of the same files, for the conversions of convert.ts and the spill's encoding. */
  readonly root: protobuf.Root;
}

let loaded: Contract | undefined;

/** The contract, parsed once per process: parsing the protos costs tens of milliseconds. */
export function contract(): Contract {
  if (!loaded) {
    const packageDefinition = protoLoader.loadSync(PROTO_FILES, LOADER_OPTIONS);
    const proto = grpc.loadPackageDefinition(packageDefinition) as unknown as RunlogProto;
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => (target.startsWith('google/') ? target : `${PROTO_DIR}/${target}`);
    root.loadSync(PROTO_FILES);
    root.resolveAll();
    loaded = { proto, root };
  }
  return loaded;
}
