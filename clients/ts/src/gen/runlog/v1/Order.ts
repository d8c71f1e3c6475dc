// Original file: ../../proto/runlog/v1/query.proto

/**
 * Sort order of log queries.
 */
export const Order = {
  /**
   * Ascending.
   */
  ORDER_UNSPECIFIED: 'ORDER_UNSPECIFIED',
  /**
   * Oldest first.
   */
  ORDER_ASCENDING: 'ORDER_ASCENDING',
  /**
   * Newest first.
   */
  ORDER_DESCENDING: 'ORDER_DESCENDING',
} as const;

/**
 * Sort order of log queries.
 */
export type Order =
  /**
   * Ascending.
   */
  | 'ORDER_UNSPECIFIED'
  | 0
  /**
   * Oldest first.
   */
  | 'ORDER_ASCENDING'
  | 1
  /**
   * Newest first.
   */
  | 'ORDER_DESCENDING'
  | 2

/**
 * Sort order of log queries.
 */
export type Order__Output = typeof Order[keyof typeof Order]
