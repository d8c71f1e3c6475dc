// Handlers that answer UNIMPLEMENTED for every method of a service not built yet.
import type * as grpc from '@grpc/grpc-js';
import { toServiceError, unimplemented } from '../common/grpc-errors.js';

export function unimplementedHandlers(service: grpc.ServiceDefinition, feature: string): grpc.UntypedServiceImplementation {
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const [method, definition] of Object.entries(service)) {
    const error = toServiceError(unimplemented(`${method} is not implemented yet (${feature})`));
    handlers[method] = definition.responseStream
      ? (call: grpc.ServerWritableStream<unknown, unknown>) => call.emit('error', error)
      : (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(error);
  }
  return handlers;
}
