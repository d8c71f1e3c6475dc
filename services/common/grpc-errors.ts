// Errors as values with a gRPC status code, built in one place; handlers convert with toServiceError.
import { status, Metadata, type ServiceError } from '@grpc/grpc-js';

export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
    /** Extra metadata sent with the status, e.g. a resume cursor or the list of missing nodes (Buffers for `-bin` keys). */
    readonly trailers: Record<string, string | Buffer> = {},
  ) {
    super(message);
  }
}

export const invalidArgument = (message: string) => new RpcError(status.INVALID_ARGUMENT, message);
export const notFound = (message: string) => new RpcError(status.NOT_FOUND, message);
export const alreadyExists = (message: string) => new RpcError(status.ALREADY_EXISTS, message);
export const failedPrecondition = (message: string, trailers?: Record<string, string | Buffer>) =>
  new RpcError(status.FAILED_PRECONDITION, message, trailers);
export const outOfRange = (message: string) => new RpcError(status.OUT_OF_RANGE, message);
export const resourceExhausted = (message: string, trailers?: Record<string, string | Buffer>) =>
  new RpcError(status.RESOURCE_EXHAUSTED, message, trailers);
export const unavailable = (message: string) => new RpcError(status.UNAVAILABLE, message);
export const unimplemented = (message: string) => new RpcError(status.UNIMPLEMENTED, message);

/** What a gRPC callback or stream sends for any thrown value: RpcErrors keep their code, anything else is INTERNAL. */
export function toServiceError(error: unknown): Partial<ServiceError> {
  const rpc = error instanceof RpcError ? error : new RpcError(status.INTERNAL, 'internal error');
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(rpc.trailers)) metadata.set(key, value);
  return { code: rpc.code, details: rpc.message, metadata };
}
