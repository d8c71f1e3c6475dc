// Step rows read by their position, kept in memory: a stored row never changes (insert-only), so a kept one is never stale.
import type { JsonRow } from '../read/stored-rows.js';
import { useEntry } from './recently-used.js';

// GetState, Resume and Fork mostly ask for the same few steps (a run's head) again and again.
const MAX_BYTES = 16 * 1024 * 1024;
const MAX_ROW_BYTES = 256 * 1024;

export class StepRowCache {
  private readonly rows = new Map<string, { row: JsonRow; bytes: number }>();
  private bytes = 0;

  /** The row at the position, with its state, when kept. */
  get(seq: number, idx: number): JsonRow | undefined {
    return useEntry(this.rows, `${seq}/${idx}`)?.row;
  }

  /** Keeps a row read with its state (`stateBytes` of it); large states are not kept. */
  remember(seq: number, idx: number, row: JsonRow, stateBytes: number): void {
    if (stateBytes > MAX_ROW_BYTES) return;
    const key = `${seq}/${idx}`;
    if (this.rows.has(key)) return;
    this.rows.set(key, { row, bytes: stateBytes });
    this.bytes += stateBytes;
    for (const [oldest, kept] of this.rows) {
      if (this.bytes <= MAX_BYTES) break;
      this.rows.delete(oldest);
      this.bytes -= kept.bytes;
    }
  }
}
