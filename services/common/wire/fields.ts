// The field numbers the hand-written wire code reads and writes, taken from the contract when it loads: never written down twice.
//
// Each field is looked up by name with the type it must have: a field renamed, removed or given
// another type stops the service at start (and test/wire-fields.test.ts) instead of being read wrong.
import type protobuf from 'protobufjs';
import { loadProtoRoot } from '../proto.js';

type FieldSpec = Record<string, string>;

// The fields of each message the wire code touches, with the protobuf type each must keep.
const SPEC = {
  appendRequest: ['runlog.v1.AppendRequest', { requestId: 'string', events: 'runlog.v1.Event' }],
  appendStreamRequest: ['runlog.v1.AppendStreamRequest', { request: 'runlog.v1.AppendRequest' }],
  eventBatch: ['runlog.v1.EventBatch', { events: 'runlog.v1.Event' }],
  event: ['runlog.v1.Event', { workflowId: 'string', runId: 'string', log: 'runlog.v1.LogRecord' }],
  logRecord: [
    'runlog.v1.LogRecord',
    {
      taskName: 'string', taskInstanceId: 'string', time: 'google.protobuf.Timestamp', level: 'runlog.v1.LogLevel',
      message: 'string', attributes: 'string', traceId: 'string', spanId: 'string',
    },
  ],
  timestamp: ['google.protobuf.Timestamp', { seconds: 'int64', nanos: 'int32' }],
  storedEvent: ['runlog.v1.StoredEvent', { event: 'runlog.v1.Event', cursor: 'string', ingestTime: 'google.protobuf.Timestamp' }],
  queryLogsResponse: ['runlog.v1.QueryLogsResponse', { records: 'runlog.v1.StoredEvent', nextPageToken: 'string' }],
} as const satisfies Record<string, readonly [string, FieldSpec]>;

export type WireFields = { [M in keyof typeof SPEC]: { [F in keyof (typeof SPEC)[M][1]]: number } };

/** The wire code's field numbers as `root` declares them; throws when a field is missing or of another type. */
export function wireFieldsOf(root: protobuf.Root): WireFields {
  const fields: Record<string, Record<string, number>> = {};
  for (const [message, [typeName, spec]] of Object.entries(SPEC) as [string, readonly [string, FieldSpec]][]) {
    const type = root.lookupType(typeName);
    fields[message] = {};
    for (const [name, expected] of Object.entries(spec)) {
      const field = type.fields[name];
      if (!field) throw new Error(`${typeName}.${name}: the wire code reads this field, and the contract has none`);
      field.resolve();
      const actual = field.resolvedType ? field.resolvedType.fullName.replace(/^\./, '') : field.type;
      if (actual !== expected) throw new Error(`${typeName}.${name}: the wire code reads it as ${expected}, the contract says ${actual}`);
      fields[message][name] = field.id;
    }
  }
  return fields as WireFields;
}

/** The contract's files the wire code reads from. */
export const WIRE_PROTO_FILES = ['runlog/v1/ingest.proto', 'runlog/v1/query.proto'];

/** The field numbers of the contract in proto/. */
export const WIRE_FIELDS: WireFields = wireFieldsOf(loadProtoRoot(WIRE_PROTO_FILES));
