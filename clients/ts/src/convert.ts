// Converts between the generated wire shapes and the plain values users see: Timestamp <-> Date, Struct <-> JSON object.
// Driven by the protobufjs reflection of the contract, so a new Timestamp or Struct field in a proto needs no code here.
import protobuf from 'protobufjs';
import type { Struct } from './gen/google/protobuf/Struct.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

type ExactKeys<T, K> = [keyof T] extends [K] ? ([K] extends [keyof T] ? true : false) : false;

/**
 * A generated contract type in the shape the SDK speaks, both ways: every google.protobuf.Timestamp
 * is a `Date` (millisecond precision), every google.protobuf.Struct a plain JSON object.
 */
type PlainShape<T> = T extends Date
  ? T
  : T extends readonly (infer U)[]
    ? PlainShape<U>[]
    : T extends object
      ? ExactKeys<T, 'seconds' | 'nanos'> extends true
        ? Date
        : ExactKeys<T, 'fields'> extends true
          ? JsonObject
          : { [K in keyof T]: PlainShape<T[K]> }
      : T;

/** A generated `__Output` type as the SDK hands it out. */
export type Plain<T> = PlainShape<T>;
/** A generated request type as the SDK takes it. */
export type PlainInput<T> = PlainShape<T>;

const TIMESTAMP = '.google.protobuf.Timestamp';
const STRUCT = '.google.protobuf.Struct';

/** Wire shapes of the well-known types as proto-loader reads and writes them. */
interface WireTimestamp {
  seconds?: number | string;
  nanos?: number;
}
interface WireValue {
  kind?: string;
  nullValue?: unknown;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: WireStruct | null;
  listValue?: { values?: WireValue[] } | null;
}
interface WireStruct {
  fields?: Record<string, WireValue>;
}

export function timestampToDate(timestamp: WireTimestamp): Date {
  return new Date(Number(timestamp.seconds ?? 0) * 1000 + Math.floor((timestamp.nanos ?? 0) / 1e6));
}

export function dateToTimestamp(date: Date): { seconds: number; nanos: number } {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1e6 };
}

export function structToJson(struct: WireStruct): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(struct.fields ?? {})) out[key] = valueToJson(value);
  return out;
}

function valueToJson(value: WireValue): Json {
  switch (value.kind) {
    case 'numberValue':
      return value.numberValue ?? 0;
    case 'stringValue':
      return value.stringValue ?? '';
    case 'boolValue':
      return value.boolValue ?? false;
    case 'structValue':
      return value.structValue ? structToJson(value.structValue) : {};
    case 'listValue':
      return (value.listValue?.values ?? []).map(valueToJson);
    default:
      return null;
  }
}

/** A JSON object as the generated Struct input shape. */
export function jsonToStruct(object: JsonObject): Struct {
  const fields: Record<string, WireValue> = {};
  for (const [key, value] of Object.entries(object)) {
    if (value !== undefined) fields[key] = jsonToValue(value);
  }
  return { fields } as Struct;
}

function jsonToValue(value: Json): WireValue {
  if (value === null) return { nullValue: 'NULL_VALUE' };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(jsonToValue) } };
  if (typeof value === 'object') return { structValue: jsonToStruct(value) as WireStruct };
  throw new TypeError(`not a JSON value: ${String(value)}`);
}

/** Converts messages of the contract between wire shape and plain shape, by their full type name. */
export class Converter {
  // Per message type, the fields that hold a Timestamp or Struct somewhere below: the rest is left as it is.
  private readonly plans = new Map<protobuf.Type, protobuf.Field[]>();

  constructor(private readonly root: protobuf.Root) {}

  /** A decoded message (fresh from the wire, converted in place) as its plain shape. */
  toPlain<T>(typeName: string, message: unknown): Plain<T> {
    return this.out(this.root.lookupType(typeName), message) as Plain<T>;
  }

  /** A plain request as the wire shape proto-loader serialises; the argument is not changed. */
  toWire<T>(typeName: string, message: PlainInput<T>): T {
    return this.in(this.root.lookupType(typeName), message) as T;
  }

  private out(type: protobuf.Type, value: unknown): unknown {
    if (value === null || value === undefined) return value;
    if (type.fullName === TIMESTAMP) return timestampToDate(value as WireTimestamp);
    if (type.fullName === STRUCT) return structToJson(value as WireStruct);
    const object = value as Record<string, unknown>;
    for (const field of this.plan(type)) {
      const child = field.resolvedType as protobuf.Type;
      const current = object[field.name];
      if (current === null || current === undefined) continue;
      if (field.map) {
        const map = current as Record<string, unknown>;
        for (const key of Object.keys(map)) map[key] = this.out(child, map[key]);
      } else if (field.repeated) {
        object[field.name] = (current as unknown[]).map((item) => this.out(child, item));
      } else {
        object[field.name] = this.out(child, current);
      }
    }
    return object;
  }

  private in(type: protobuf.Type, value: unknown): unknown {
    if (value === null || value === undefined) return value;
    if (type.fullName === TIMESTAMP) return value instanceof Date ? dateToTimestamp(value) : value;
    if (type.fullName === STRUCT) return jsonToStruct(value as JsonObject);
    const plan = this.plan(type);
    if (plan.length === 0) return value;
    const object = { ...(value as Record<string, unknown>) };
    for (const field of plan) {
      const child = field.resolvedType as protobuf.Type;
      const current = object[field.name];
      if (current === null || current === undefined) continue;
      if (field.map) {
        object[field.name] = Object.fromEntries(Object.entries(current as Record<string, unknown>).map(([key, item]) => [key, this.in(child, item)]));
      } else if (field.repeated) {
        object[field.name] = (current as unknown[]).map((item) => this.in(child, item));
      } else {
        object[field.name] = this.in(child, current);
      }
    }
    return object;
  }

  private plan(type: protobuf.Type): protobuf.Field[] {
    let plan = this.plans.get(type);
    if (!plan) {
      plan = type.fieldsArray.filter((field) => field.resolvedType instanceof protobuf.Type && holdsConverted(field.resolvedType, new Set()));
      this.plans.set(type, plan);
    }
    return plan;
  }
}

function holdsConverted(type: protobuf.Type, seen: Set<protobuf.Type>): boolean {
  if (type.fullName === TIMESTAMP || type.fullName === STRUCT) return true;
  // A recursive message (LineageNode.forks) is asked about once; its other fields decide.
  if (seen.has(type)) return false;
  seen.add(type);
  return type.fieldsArray.some((field) => {
    const child = field.resolvedType;
    return child instanceof protobuf.Type && holdsConverted(child, seen);
  });
}
