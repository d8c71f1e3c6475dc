// A gRPC StateService client for tests: promise-based calls, and the whole current timeline of a run.
import * as grpc from '@grpc/grpc-js';
import { loadContract } from '../../services/common/proto.js';
import type { StateServiceClient } from '../../services/common/gen/runlog/v1/StateService.js';
import type { GetStateRequest } from '../../services/common/gen/runlog/v1/GetStateRequest.js';
import type { GetStateResponse__Output } from '../../services/common/gen/runlog/v1/GetStateResponse.js';
import type { ListStepsRequest } from '../../services/common/gen/runlog/v1/ListStepsRequest.js';
import type { ListStepsResponse__Output } from '../../services/common/gen/runlog/v1/ListStepsResponse.js';
import type { ResumeRequest } from '../../services/common/gen/runlog/v1/ResumeRequest.js';
import type { ResumeResponse__Output } from '../../services/common/gen/runlog/v1/ResumeResponse.js';
import type { ForkRequest } from '../../services/common/gen/runlog/v1/ForkRequest.js';
import type { ForkResponse__Output } from '../../services/common/gen/runlog/v1/ForkResponse.js';
import type { GetLineageRequest } from '../../services/common/gen/runlog/v1/GetLineageRequest.js';
import type { GetLineageResponse__Output } from '../../services/common/gen/runlog/v1/GetLineageResponse.js';
import type { StepState__Output } from '../../services/common/gen/runlog/v1/StepState.js';
import { collectPages } from './query-client.js';

export type { StateServiceClient, StepState__Output };

export function stateClient(address: string): StateServiceClient {
  const { proto } = loadContract();
  return new proto.runlog.v1.StateService(address, grpc.credentials.createInsecure(), {
    // A 4 MiB state plus its step's fields is above grpc's 4 MiB default.
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
  });
}

type UnaryMethod<Req, Res> = (request: Req, options: grpc.CallOptions, callback: grpc.requestCallback<Res>) => grpc.ClientUnaryCall;

function call<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, timeoutMs = 30_000): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, { deadline: Date.now() + timeoutMs }, (error, response) => (error ? reject(error) : resolve(response!)));
  });
}

/** The StateService calls of one client, as promises. */
export function stateCalls(client: StateServiceClient) {
  return {
    getState: async (request: GetStateRequest): Promise<StepState__Output> =>
      (await call<GetStateRequest, GetStateResponse__Output>((r, o, cb) => client.GetState(r, o, cb), request)).state!,
    listSteps: (request: ListStepsRequest) => call<ListStepsRequest, ListStepsResponse__Output>((r, o, cb) => client.ListSteps(r, o, cb), request),
    resume: (request: ResumeRequest) => call<ResumeRequest, ResumeResponse__Output>((r, o, cb) => client.Resume(r, o, cb), request),
    fork: (request: ForkRequest) => call<ForkRequest, ForkResponse__Output>((r, o, cb) => client.Fork(r, o, cb), request),
    getLineage: (request: GetLineageRequest) => call<GetLineageRequest, GetLineageResponse__Output>((r, o, cb) => client.GetLineage(r, o, cb), request),
  };
}

export type StateCalls = ReturnType<typeof stateCalls>;

/** Every step of the run's current timeline, through all pages. */
export async function allSteps(calls: StateCalls, run: { workflowId: string; runId: string }, options: { pageSize?: number; omitState?: boolean } = {}): Promise<StepState__Output[]> {
  const { items } = await collectPages(async (pageToken) => {
    const page = await calls.listSteps({ run, pageToken, pageSize: options.pageSize ?? 1000, omitState: options.omitState });
    return { items: page.steps, next: page.nextPageToken };
  });
  return items;
}
