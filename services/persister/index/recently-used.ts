// A Map kept in order of use, for the in-memory indexes that drop the least recently used entry first.

/** The key's value, moved to the most recently used end of `map` (a Map iterates in insertion order); undefined when absent. */
export function useEntry<K, V>(map: Map<K, V>, key: K): V | undefined {
  const value = map.get(key);
  if (value === undefined) return undefined;
  map.delete(key);
  map.set(key, value);
  return value;
}
