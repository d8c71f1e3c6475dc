// Which runs the partition may hold, as a Bloom filter in memory: "no" is certain, so asking whether a new run id is taken rarely reads the store.
import type { DuckDBConnection } from '@duckdb/node-api';

// 2^24 bits (2 MiB) and 7 probes: about 1% false "maybe" at 1.5 million runs, more beyond (still
// right, only slower: a "maybe" is checked in the store).
const BITS = 2 ** 24;
const PROBES = 7;

/** Two independent 32-bit FNV-1a hashes of the key, for double hashing. */
function hashes(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
  }
  return [a >>> 0, (b | 1) >>> 0];
}

export class RunFilter {
  private readonly bits = new Uint32Array(BITS / 32);
  private loaded = false;

  /** Reads every run the store holds; until it is done, every run "may" exist. */
  async load(connection: DuckDBConnection): Promise<void> {
    const result = await connection.stream('SELECT DISTINCT workflow_id, run_id FROM run_extents');
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      const [workflows, runs] = [chunk.getColumnVector(0), chunk.getColumnVector(1)];
      for (let row = 0; row < chunk.rowCount; row++) this.add(String(workflows.getItem(row)), String(runs.getItem(row)));
    }
    this.loaded = true;
  }

  /** Called for every run of each committed batch (also while loading: adding twice changes nothing). */
  add(workflowId: string, runId: string): void {
    const [h1, h2] = hashes(`${workflowId}\u0000${runId}`);
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + i * h2) % BITS;
      this.bits[bit >>> 5] |= 1 << (bit & 31);
    }
  }

  /** False only when the partition certainly holds no event of the run. */
  mayHold(workflowId: string, runId: string): boolean {
    if (!this.loaded) return true;
    const [h1, h2] = hashes(`${workflowId}\u0000${runId}`);
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + i * h2) % BITS;
      if ((this.bits[bit >>> 5] & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}
