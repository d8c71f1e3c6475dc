// @runlog/client: the typed client, the batching logger and the reconnecting subscribe.
export { RunlogClient, DEFAULT_INGEST_ADDRESS, DEFAULT_QUERY_ADDRESS, type ClientOptions, type CallOptions, type TlsOptions, type RetryOptions } from './client.js';
export { BatchingLogger, RunLogger, TaskLogger, LevelLogger, type LoggerOptions, type LoggerStats, type RunStart, type StatusInput } from './logger.js';
export { AppendSession } from './append-session.js';
export type { SubscribeOptions } from './subscribe.js';
export { Code, isRpcError, missingNodes, resumeCursor, describeError, type RpcError } from './errors.js';
export { timestampToDate, dateToTimestamp, structToJson, jsonToStruct } from './convert.js';
export type * from './types.js';
