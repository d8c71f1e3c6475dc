// JSON Merge Patch (RFC 7386): how Fork edits the state it starts from.
import type { Json } from '../common/values.js';

type JsonObject = { [key: string]: Json };

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The RFC's MergePatch(Target, Patch): objects merge key by key, null deletes, anything else replaces. */
export function applyMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
      continue;
    }
    const current = Object.prototype.hasOwnProperty.call(result, key) ? result[key] : undefined;
    // defineProperty, not assignment: a key such as "__proto__" must become data, never a prototype.
    Object.defineProperty(result, key, { value: applyMergePatch(current, value), enumerable: true, writable: true, configurable: true });
  }
  return result;
}
