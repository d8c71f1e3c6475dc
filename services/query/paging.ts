// AIP-158 page sizes: 0 means the default, negatives are refused, large ones are capped.
import { invalidArgument } from '../common/grpc-errors.js';
import { MAX_READ_LIMIT } from '../common/read-protocol.js';

export const DEFAULT_PAGE_SIZE = 100;

export function pageSize(requested: number): number {
  if (requested < 0) throw invalidArgument('page_size: must not be negative');
  if (requested === 0) return DEFAULT_PAGE_SIZE;
  return Math.min(requested, MAX_READ_LIMIT);
}
