// Conversions between protobuf well-known types (Struct, Timestamp) and plain values.
import type { Struct, Struct__Output } from './gen/google/protobuf/Struct.js';
import type { Value, Value__Output } from './gen/google/protobuf/Value.js';
import type { Timestamp, Timestamp__Output } from './gen/google/protobuf/Timestamp.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function structToJson(struct: Struct__Output | null | undefined): { [key: string]: Json } | null {
  if (!struct) return null;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(struct.fields ?? {})) out[key] = valueToJson(value);
  return out;
}

function valueToJson(value: Value__Output): Json {
  switch (value.kind) {
    case 'numberValue':
      return value.numberValue ?? 0;
    case 'stringValue':
      return value.stringValue ?? '';
    case 'boolValue':
      return value.boolValue ?? false;
    case 'structValue':
      return structToJson(value.structValue) ?? {};
    case 'listValue':
      return (value.listValue?.values ?? []).map(valueToJson);
    default:
      return null;
  }
}

export function jsonToStruct(object: { [key: string]: Json } | null | undefined): Struct | null {
  if (object === null || object === undefined) return null;
  const fields: { [key: string]: Value } = {};
  for (const [key, value] of Object.entries(object)) fields[key] = jsonToValue(value);
  return { fields };
}

function jsonToValue(value: Json): Value {
  if (value === null) return { nullValue: 'NULL_VALUE' };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(jsonToValue) } };
  return { structValue: jsonToStruct(value) };
}

/** Microseconds since the epoch, DuckDB's TIMESTAMPTZ unit; null when unset. Takes a decoded Timestamp or one being built (seconds as number, string or Long). */
export function timestampToMicros(ts: Timestamp | Timestamp__Output | null | undefined): bigint | null {
  if (!ts) return null;
  return BigInt(String(ts.seconds ?? 0)) * 1_000_000n + BigInt(Math.floor((ts.nanos ?? 0) / 1000));
}

/**
 * A stream time stamp (RFC 3339 with up to nine fraction digits, as JetStream's direct get reports
 * it) as the microseconds the persister stores for the message. nats.js hands a consumer the
 * nanoseconds as a double, so they pass through one here too, to give the same figure.
 */
export function streamTimestampToMicros(timestamp: string): bigint {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(timestamp);
  const millis = match ? Date.parse(`${match[1]}Z`) : NaN;
  if (!match || Number.isNaN(millis)) throw new Error(`not a stream time stamp: ${timestamp}`);
  const nanos = BigInt(millis) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
  return BigInt(Number(nanos)) / 1000n;
}

export function microsToTimestamp(micros: bigint): Timestamp {
  const seconds = micros >= 0n ? micros / 1_000_000n : -((-micros + 999_999n) / 1_000_000n);
  return { seconds: seconds.toString(), nanos: Number(micros - seconds * 1_000_000n) * 1000 };
}

export function millisToTimestamp(millis: number): Timestamp {
  return microsToTimestamp(BigInt(Math.round(millis * 1000)));
}

export function timestampToMillis(ts: Timestamp__Output | null | undefined): number | null {
  const micros = timestampToMicros(ts);
  return micros === null ? null : Number(micros) / 1000;
}
