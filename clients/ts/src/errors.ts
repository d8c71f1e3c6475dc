// What a failed call tells: its gRPC status, and the details runlog puts in trailers (missing nodes, resume cursor).
import * as grpc from '@grpc/grpc-js';

export { status as Code } from '@grpc/grpc-js';
export type RpcError = grpc.ServiceError;

export function isRpcError(error: unknown, code?: grpc.status): error is grpc.ServiceError {
  const candidate = error as grpc.ServiceError | undefined;
  const isStatus = typeof candidate?.code === 'number' && typeof candidate?.details === 'string';
  return isStatus && (code === undefined || candidate.code === code);
}

/** The node ids a refused Resume lists as missing from the definition (trailer `runlog-missing-nodes`), and how many there are in all. */
export function missingNodes(error: unknown): { nodeIds: string[]; count: number } | undefined {
  if (!isRpcError(error, grpc.status.FAILED_PRECONDITION)) return undefined;
  const listed = error.metadata?.get('runlog-missing-nodes')[0];
  if (typeof listed !== 'string') return undefined;
  const nodeIds = JSON.parse(listed) as string[];
  const count = Number(error.metadata.get('runlog-missing-nodes-count')[0] ?? nodeIds.length);
  return { nodeIds, count };
}

/** The cursor a slow subscriber was cut off at (trailer `runlog-resume-cursor` of RESOURCE_EXHAUSTED). */
export function resumeCursor(error: unknown): string | undefined {
  if (!isRpcError(error, grpc.status.RESOURCE_EXHAUSTED)) return undefined;
  const cursor = error.metadata?.get('runlog-resume-cursor')[0];
  return typeof cursor === 'string' ? cursor : undefined;
}

/** One line for a person: the code's name and the server's message. */
export function describeError(error: unknown): string {
  if (isRpcError(error)) return `${grpc.status[error.code] ?? error.code}: ${error.details || error.message}`;
  return error instanceof Error ? error.message : String(error);
}
