// The FAILED_PRECONDITION of a resume whose definition lacks recorded nodes: exact message, node list in the status details.
import protobuf from 'protobufjs';
import { status } from '@grpc/grpc-js';
import { failedPrecondition, type RpcError } from '../common/grpc-errors.js';
import { PROTO_DIR } from '../common/proto.js';

/** JSON array of the missing node ids, for clients that read plain trailers. */
export const MISSING_NODES_TRAILER = 'runlog-missing-nodes';
/** How many nodes are missing, also when the lists below had to stop short. */
export const MISSING_NODES_COUNT_TRAILER = 'runlog-missing-nodes-count';
/** The gRPC rich error model: a google.rpc.Status whose details hold a runlog.v1.MissingNodes. */
export const STATUS_DETAILS_TRAILER = 'grpc-status-details-bin';
export const MISSING_NODES_TYPE_URL = 'type.googleapis.com/runlog.v1.MissingNodes';

// Most gRPC clients refuse trailers above 8 KiB (grpc.max_metadata_size), and each list is sent
// twice (JSON and binary): each stays below this many bytes of ids.
const LIST_BYTES = 2 * 1024;

export function missingNodesError(missing: string[]): RpcError {
  const message = `Cannot resume: node '${missing[0]}' is missing from the current workflow definition`;
  const listed: string[] = [];
  let bytes = 0;
  for (const nodeId of missing) {
    // The escaped JSON form is the longer of the two.
    bytes += asciiJson(nodeId).length + 1;
    if (listed.length > 0 && bytes > LIST_BYTES) break;
    listed.push(nodeId);
  }
  return failedPrecondition(message, {
    [MISSING_NODES_TRAILER]: asciiJson(listed),
    [MISSING_NODES_COUNT_TRAILER]: String(missing.length),
    [STATUS_DETAILS_TRAILER]: encodeStatusDetails(status.FAILED_PRECONDITION, message, listed),
  });
}

/** JSON with every non-ASCII character escaped: plain metadata values must be printable ASCII. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// google.rpc.Status is not in our protos; Any is protobufjs's built-in google.protobuf.Any.
const STATUS_DESCRIPTOR = {
  nested: { google: { nested: { rpc: { nested: { Status: { fields: {
    code: { type: 'int32', id: 1 },
    message: { type: 'string', id: 2 },
    details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
  } } } } } } },
};

let types: { status: protobuf.Type; missingNodes: protobuf.Type } | undefined;

function detailTypes(): { status: protobuf.Type; missingNodes: protobuf.Type } {
  if (!types) {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => (target.startsWith('google/') ? target : `${PROTO_DIR}/${target}`);
    root.loadSync(['google/protobuf/any.proto', 'runlog/v1/state.proto']);
    root.addJSON(STATUS_DESCRIPTOR.nested);
    types = { status: root.lookupType('google.rpc.Status'), missingNodes: root.lookupType('runlog.v1.MissingNodes') };
  }
  return types;
}

function encodeStatusDetails(code: number, message: string, nodeIds: string[]): Buffer {
  const { status: statusType, missingNodes } = detailTypes();
  const value = missingNodes.encode(missingNodes.create({ nodeIds })).finish();
  return Buffer.from(statusType.encode(statusType.fromObject({ code, message, details: [{ type_url: MISSING_NODES_TYPE_URL, value }] })).finish());
}

/** The node ids in a grpc-status-details-bin trailer (tests and clients written in TypeScript). */
export function decodeMissingNodes(details: Buffer): string[] {
  const { status: statusType, missingNodes } = detailTypes();
  const decoded = statusType.toObject(statusType.decode(details), { arrays: true }) as { details: { type_url: string; value: Uint8Array }[] };
  return decoded.details
    .filter((detail) => detail.type_url === MISSING_NODES_TYPE_URL)
    .flatMap((detail) => (missingNodes.toObject(missingNodes.decode(detail.value), { arrays: true }) as { nodeIds: string[] }).nodeIds);
}
