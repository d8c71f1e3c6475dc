// RunlogClient: one client for IngestService, QueryService and StateService, with deadlines, retries of UNAVAILABLE, credentials and pagers.
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { contract } from './contract.js';
import { Converter } from './convert.js';
import { Backoff, sleep } from './backoff.js';
import { isRpcError } from './errors.js';
import { AppendSession } from './append-session.js';
import { BatchingLogger, type LoggerOptions } from './logger.js';
import { reconnectingSubscribe, type SubscribeOptions } from './subscribe.js';
import type { IngestServiceClient } from './gen/runlog/v1/IngestService.js';
import type { QueryServiceClient } from './gen/runlog/v1/QueryService.js';
import type { StateServiceClient } from './gen/runlog/v1/StateService.js';
import type { SubscribeRequest as SubscribeRequestWire } from './gen/runlog/v1/SubscribeRequest.js';
import type * as T from './types.js';

export const DEFAULT_INGEST_ADDRESS = '127.0.0.1:7070';
export const DEFAULT_QUERY_ADDRESS = '127.0.0.1:7071';

export interface TlsOptions {
  /** PEM root certificates; default: the system's. */
  rootCerts?: Buffer;
  /** PEM client key and certificate, for mutual TLS. */
  privateKey?: Buffer;
  certChain?: Buffer;
  /** Name the server's certificate must carry, when it differs from the address's host. */
  serverName?: string;
}

export interface RetryOptions {
  /** Attempts of a call in all, the first included (default 5); 1 turns retries off. */
  maxAttempts?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export interface ClientOptions {
  /** IngestService address, host:port (default 127.0.0.1:7070). */
  ingestAddress?: string;
  /** QueryService and StateService address (default 127.0.0.1:7071). */
  queryAddress?: string;
  /** `true` for TLS with the system's roots; an object for custom roots or mutual TLS; default plaintext. */
  tls?: boolean | TlsOptions;
  /** Bearer token sent as `authorization: Bearer <token>` on every call; a function is asked before each call (token refresh). */
  token?: string | (() => string | Promise<string>);
  /** Metadata sent on every call. */
  metadata?: Record<string, string>;
  /** Deadline of each unary call, in ms (default 30 s). */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** Extra grpc-js channel options. */
  channelOptions?: grpc.ChannelOptions;
}

export interface CallOptions {
  /** Deadline of this call, in ms; overrides the client's. */
  timeoutMs?: number;
  /** Cancels the call; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Metadata for this call, added to the client's. */
  metadata?: Record<string, string>;
}

type Unary<Req, Res> = (request: Req, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<Res>) => grpc.ClientUnaryCall;

const PACKAGE = 'runlog.v1';

export class RunlogClient {
  readonly ingest: IngestServiceClient;
  readonly query: QueryServiceClient;
  readonly state: StateServiceClient;
  readonly converter: Converter;
  private readonly options: ClientOptions;

  constructor(options: ClientOptions = {}) {
    this.options = options;
    const { proto, root } = contract();
    this.converter = new Converter(root);
    const credentials = channelCredentials(options.tls);
    const channelOptions: grpc.ChannelOptions = {
      // Step states and log pages reach megabytes; the default 4 MiB receive limit would refuse them.
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      // Reconnect soon after a restarted service, so a retry or a resumed subscription does not wait long.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 2000,
      ...(typeof options.tls === 'object' && options.tls.serverName ? { 'grpc.ssl_target_name_override': options.tls.serverName } : {}),
      ...options.channelOptions,
    };
    const v1 = proto.runlog.v1;
    this.ingest = new v1.IngestService(options.ingestAddress ?? DEFAULT_INGEST_ADDRESS, credentials, channelOptions);
    const queryAddress = options.queryAddress ?? DEFAULT_QUERY_ADDRESS;
    this.query = new v1.QueryService(queryAddress, credentials, channelOptions);
    this.state = new v1.StateService(queryAddress, credentials, channelOptions);
  }

  // ---- IngestService

  /** Appends events; a request without request_id gets one here, so the retries of UNAVAILABLE store it once. */
  append(request: T.AppendRequest, options?: CallOptions): Promise<T.AppendResponse> {
    const withId = { ...request, requestId: request.requestId || randomUUID() };
    return this.unary('AppendRequest', 'AppendResponse', (r, m, o, cb) => this.ingest.Append(r, m, o, cb), withId, options);
  }

  /** An AppendStream: `send` answers each request in order; see AppendSession. */
  async appendStream(options: { metadata?: Record<string, string> } = {}): Promise<AppendSession> {
    const metadata = await this.metadata(options.metadata);
    return new AppendSession(this.ingest.AppendStream(metadata), this.converter);
  }

  /** A batching logger sending on this client's AppendStreams; see BatchingLogger. */
  logger(options?: LoggerOptions): BatchingLogger {
    return new BatchingLogger(this, contract().root.lookupType(`${PACKAGE}.AppendRequest`), options);
  }

  // ---- QueryService

  /**
   * Every matching event, stored history first, then live, as an async iterator that reconnects after
   * UNAVAILABLE or RESOURCE_EXHAUSTED from the last cursor it delivered. Ends when `signal` aborts.
   */
  subscribe(request: T.SubscribeRequest, options: SubscribeOptions = {}): AsyncGenerator<T.StoredEvent> {
    return reconnectingSubscribe(
      async (wire, signal) => {
        const metadata = await this.metadata(options.metadata);
        const call = this.query.Subscribe(this.converter.toWire<SubscribeRequestWire>('runlog.v1.SubscribeRequest', wire), metadata);
        signal.addEventListener('abort', () => call.cancel(), { once: true });
        return call;
      },
      request,
      (event) => this.converter.toPlain(`${PACKAGE}.StoredEvent`, event),
      options,
    );
  }

  queryLogs(request: T.QueryLogsRequest, options?: CallOptions): Promise<T.QueryLogsResponse> {
    return this.unary('QueryLogsRequest', 'QueryLogsResponse', (r, m, o, cb) => this.query.QueryLogs(r, m, o, cb), request, options);
  }

  listWorkflows(request: T.ListWorkflowsRequest = {}, options?: CallOptions): Promise<T.ListWorkflowsResponse> {
    return this.unary('ListWorkflowsRequest', 'ListWorkflowsResponse', (r, m, o, cb) => this.query.ListWorkflows(r, m, o, cb), request, options);
  }

  listRuns(request: T.ListRunsRequest = {}, options?: CallOptions): Promise<T.ListRunsResponse> {
    return this.unary('ListRunsRequest', 'ListRunsResponse', (r, m, o, cb) => this.query.ListRuns(r, m, o, cb), request, options);
  }

  async getRun(workflowId: string, runId: string, options?: CallOptions): Promise<T.Run> {
    const response = await this.unary<{ run: T.Run | null }>('GetRunRequest', 'GetRunResponse', (r, m, o, cb) => this.query.GetRun(r, m, o, cb), { workflowId, runId }, options);
    if (!response.run) throw new Error(`GetRun answered no run for ${workflowId}/${runId}`);
    return response.run;
  }

  /** Every log record of all pages, in store order (or the order asked). */
  iterateLogs(request: Omit<T.QueryLogsRequest, 'pageToken'>, options?: CallOptions): AsyncGenerator<T.StoredEvent> {
    return pages((pageToken) => this.queryLogs({ ...request, pageToken }, options).then((page) => ({ items: page.records, next: page.nextPageToken })));
  }

  iterateWorkflows(request: Omit<T.ListWorkflowsRequest, 'pageToken'> = {}, options?: CallOptions): AsyncGenerator<T.WorkflowSummary> {
    return pages((pageToken) => this.listWorkflows({ ...request, pageToken }, options).then((page) => ({ items: page.workflows, next: page.nextPageToken })));
  }

  iterateRuns(request: Omit<T.ListRunsRequest, 'pageToken'> = {}, options?: CallOptions): AsyncGenerator<T.RunSummary> {
    return pages((pageToken) => this.listRuns({ ...request, pageToken }, options).then((page) => ({ items: page.runs, next: page.nextPageToken })));
  }

  // ---- StateService

  async getState(request: T.GetStateRequest, options?: CallOptions): Promise<T.StepState> {
    const response = await this.unary<{ state: T.StepState | null }>('GetStateRequest', 'GetStateResponse', (r, m, o, cb) => this.state.GetState(r, m, o, cb), request, options);
    if (!response.state) throw new Error('GetState answered no state');
    return response.state;
  }

  listSteps(request: T.ListStepsRequest, options?: CallOptions): Promise<T.ListStepsResponse> {
    return this.unary('ListStepsRequest', 'ListStepsResponse', (r, m, o, cb) => this.state.ListSteps(r, m, o, cb), request, options);
  }

  iterateSteps(request: Omit<T.ListStepsRequest, 'pageToken'>, options?: CallOptions): AsyncGenerator<T.StepState> {
    return pages((pageToken) => this.listSteps({ ...request, pageToken }, options).then((page) => ({ items: page.steps, next: page.nextPageToken })));
  }

  /** Resume validates and, below the head, writes a resume marker; a retried resume writes an identical one, which changes nothing. */
  resume(request: T.ResumeRequest, options?: CallOptions): Promise<T.ResumeResponse> {
    return this.unary('ResumeRequest', 'ResumeResponse', (r, m, o, cb) => this.state.Resume(r, m, o, cb), request, options);
  }

  /** A fork is retried after UNAVAILABLE only when it names its new run: without `newRunId` a retry could make two forks. */
  fork(request: T.ForkRequest, options?: CallOptions): Promise<T.ForkResponse> {
    return this.unary('ForkRequest', 'ForkResponse', (r, m, o, cb) => this.state.Fork(r, m, o, cb), request, options, Boolean(request.newRunId));
  }

  getLineage(run: T.RunRef, options?: CallOptions): Promise<T.GetLineageResponse> {
    return this.unary('GetLineageRequest', 'GetLineageResponse', (r, m, o, cb) => this.state.GetLineage(r, m, o, cb), { run }, options);
  }

  close(): void {
    this.ingest.close();
    this.query.close();
    this.state.close();
  }

  /** The call metadata: the client's, the token's `authorization`, then the call's. */
  async metadata(extra?: Record<string, string>): Promise<grpc.Metadata> {
    const metadata = new grpc.Metadata();
    for (const [key, value] of Object.entries(this.options.metadata ?? {})) metadata.set(key, value);
    const token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
    if (token) metadata.set('authorization', `Bearer ${token}`);
    for (const [key, value] of Object.entries(extra ?? {})) metadata.set(key, value);
    return metadata;
  }

  private async unary<Res>(
    requestType: string,
    responseType: string,
    // `never` lets each generated method take the converted request; its answer is converted below.
    method: Unary<never, unknown>,
    request: unknown,
    options: CallOptions = {},
    retryable = true,
  ): Promise<Res> {
    const wire = this.converter.toWire(`${PACKAGE}.${requestType}`, request as never) as never;
    const metadata = await this.metadata(options.metadata);
    const maxAttempts = retryable ? Math.max(1, this.options.retry?.maxAttempts ?? 5) : 1;
    const backoff = new Backoff(this.options.retry);
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await callOnce(method, wire, metadata, options.timeoutMs ?? this.options.timeoutMs ?? 30_000, options.signal);
        return this.converter.toPlain(`${PACKAGE}.${responseType}`, response) as Res;
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        if (attempt >= maxAttempts || !isRpcError(error, grpc.status.UNAVAILABLE)) throw error;
        await sleep(backoff.next(), options.signal);
        if (options.signal?.aborted) throw options.signal.reason;
      }
    }
  }
}

function callOnce<Req, Res>(method: Unary<Req, Res>, request: Req, metadata: grpc.Metadata, timeoutMs: number, signal?: AbortSignal): Promise<Res> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const call = method(request, metadata, { deadline: Date.now() + timeoutMs }, (error, response) => {
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(response as Res);
    });
    const onAbort = () => call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function channelCredentials(tls: ClientOptions['tls']): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  if (tls === true) return grpc.credentials.createSsl();
  return grpc.credentials.createSsl(tls.rootCerts ?? null, tls.privateKey ?? null, tls.certChain ?? null);
}

/** Follows next_page_token until a page has none, yielding each item; a consumer that stops early stops the paging. */
async function* pages<T>(fetchPage: (pageToken: string) => Promise<{ items: T[]; next: string }>): AsyncGenerator<T> {
  let pageToken = '';
  do {
    const page = await fetchPage(pageToken);
    yield* page.items;
    pageToken = page.next;
  } while (pageToken);
}
