// A run's ids as one shared object per distinct (workflow, run) pair, found from their bytes without making strings.
//
// The batch counts each run's events by identity of its ids object (run_extents rows), and the
// persister meets the same few runs in every message: one object each, looked up by a hash of the
// bytes the scanner found, saves a pair of strings and a map lookup by text per log event.

/** A run's ids; one object per distinct pair (see RunIds), so they compare by identity. */
export interface Ids {
  workflowId: string;
  runId: string;
}

// Bounded so that a partition seeing endless new runs does not keep them all; cleared between
// batches only (trim), so within a batch a pair always maps to the same object.
const MAX_IDS = 100_000;

export class RunIds {
  private readonly byText = new Map<string, Ids>();
  // The same pairs by a hash of their bytes: entries in a chain share a hash.
  private readonly byHash = new Map<number, { bytes: Uint8Array; workflowLength: number; ids: Ids }[]>();

  of(workflowId: string, runId: string): Ids {
    const key = `${workflowId}\u0000${runId}`;
    let ids = this.byText.get(key);
    if (!ids) this.byText.set(key, (ids = { workflowId, runId }));
    return ids;
  }

  /** Forgets every pair when there are too many; only between batches. */
  trim(): void {
    if (this.byText.size <= MAX_IDS) return;
    this.byText.clear();
    this.byHash.clear();
  }

  /** The ids whose UTF-8 bytes lie at [workflowStart, workflowEnd) and [runStart, runEnd) of `bytes`. */
  ofBytes(bytes: Uint8Array, workflowStart: number, workflowEnd: number, runStart: number, runEnd: number): Ids {
    const workflowLength = workflowEnd - workflowStart;
    const length = workflowLength + runEnd - runStart;
    // FNV-1a over both ids, with the length of the first, so that ("ab", "c") and ("a", "bc") differ.
    let hash = Math.imul(0x811c9dc5 ^ workflowLength, 0x01000193);
    for (let i = workflowStart; i < workflowEnd; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
    for (let i = runStart; i < runEnd; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
    let chain = this.byHash.get(hash);
    if (chain) {
      search: for (const entry of chain) {
        if (entry.workflowLength !== workflowLength || entry.bytes.length !== length) continue;
        for (let i = 0; i < workflowLength; i++) if (entry.bytes[i] !== bytes[workflowStart + i]) continue search;
        for (let i = workflowLength; i < length; i++) if (entry.bytes[i] !== bytes[runStart + i - workflowLength]) continue search;
        return entry.ids;
      }
    } else this.byHash.set(hash, (chain = []));
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const ids = this.of(buffer.toString('utf8', workflowStart, workflowEnd), buffer.toString('utf8', runStart, runEnd));
    const idBytes = new Uint8Array(length);
    idBytes.set(bytes.subarray(workflowStart, workflowEnd), 0);
    idBytes.set(bytes.subarray(runStart, runEnd), workflowLength);
    chain.push({ bytes: idBytes, workflowLength, ids });
    return ids;
  }
}
