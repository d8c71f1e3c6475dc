// Server reflection on ingest and query, as grpcurl uses it: each lists the services it serves and describes them as the contract does.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { loadContract } from '../services/common/proto.js';
import { startQueryCluster, type QueryCluster } from './helpers/query-service.js';

// The reflection protocol as @grpc/reflection ships it: a real client speaks it to the real servers.
const REFLECTION_PROTO_DIR = join(dirname(createRequire(import.meta.url).resolve('@grpc/reflection/package.json')), 'build', 'proto');
const VERSIONS = ['v1', 'v1alpha'] as const;

interface ReflectionResponse {
  list_services_response?: { service: { name: string }[] };
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  error_response?: { error_code: number; error_message: string };
}

interface ReflectionCall {
  write(request: { list_services: string } | { file_containing_symbol: string }): void;
  end(): void;
  on(event: 'data', listener: (response: ReflectionResponse) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
}

interface ReflectionClient extends grpc.Client {
  ServerReflectionInfo(options: grpc.CallOptions): ReflectionCall;
}

function reflectionClient(version: (typeof VERSIONS)[number], address: string): ReflectionClient {
  const definition = protoLoader.loadSync(`grpc/reflection/${version}/reflection.proto`, { includeDirs: [REFLECTION_PROTO_DIR], keepCase: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { grpc: { reflection: Record<string, { ServerReflection: grpc.ServiceClientConstructor }> } };
  return new loaded.grpc.reflection[version].ServerReflection(address, grpc.credentials.createInsecure()) as unknown as ReflectionClient;
}

/** One request on a fresh reflection stream, and its one answer. */
function ask(client: ReflectionClient, request: { list_services: string } | { file_containing_symbol: string }): Promise<ReflectionResponse> {
  return new Promise((resolve, reject) => {
    const call = client.ServerReflectionInfo({ deadline: Date.now() + 10_000 });
    call.on('data', (response) => {
      resolve(response);
      call.end();
    });
    call.on('error', reject);
    call.write(request);
  });
}

async function listServices(client: ReflectionClient): Promise<string[]> {
  const response = await ask(client, { list_services: '*' });
  assert.ok(response.list_services_response, `no service list: ${JSON.stringify(response.error_response)}`);
  return response.list_services_response.service.map((service) => service.name).sort();
}

/** The methods of `service` as the descriptors reflection returns for it describe them. */
async function reflectedMethods(client: ReflectionClient, service: string): Promise<string[]> {
  const response = await ask(client, { file_containing_symbol: service });
  assert.ok(response.file_descriptor_response, `${service} not found: ${JSON.stringify(response.error_response)}`);
  const [pkg, name] = [service.slice(0, service.lastIndexOf('.')), service.slice(service.lastIndexOf('.') + 1)];
  for (const bytes of response.file_descriptor_response.file_descriptor_proto) {
    const file = descriptor.FileDescriptorProto.decode(bytes) as unknown as { package?: string; service?: { name: string; method?: { name: string }[] }[] };
    const found = file.package === pkg ? file.service?.find((candidate) => candidate.name === name) : undefined;
    if (found) return (found.method ?? []).map((method) => method.name).sort();
  }
  assert.fail(`no descriptor returned for ${service} declares it`);
}

/** The methods of `service` in the contract the services load: the last part of each method's path. */
function contractMethods(service: string): string[] {
  const definition = loadContract().packageDefinition[service] as protoLoader.ServiceDefinition | undefined;
  assert.ok(definition, `${service} is not in the contract`);
  return Object.values(definition).map((method) => method.path.slice(method.path.lastIndexOf('/') + 1)).sort();
}

let rig: QueryCluster;
before(async () => {
  rig = await startQueryCluster();
});
after(async () => {
  await rig?.stop();
});

const SERVED = {
  ingest: { address: () => rig.cluster.ingestAddress, services: ['runlog.v1.IngestService'] },
  query: { address: () => rig.query.address, services: ['runlog.v1.QueryService', 'runlog.v1.StateService'] },
};

for (const [server, { address, services }] of Object.entries(SERVED)) {
  describe(`${server}'s server reflection`, () => {
    for (const version of VERSIONS) {
      test(`grpc.reflection.${version} lists ${services.join(' and ')} and describes each with the contract's methods`, async () => {
        const client = reflectionClient(version, address());
        try {
          const listed = await listServices(client);
          for (const service of services) {
            assert.ok(listed.includes(service), `${service} not listed: ${listed.join(', ')}`);
            assert.deepEqual(await reflectedMethods(client, service), contractMethods(service), `${service}'s methods`);
          }
        } finally {
          client.close();
        }
      });
    }
    // grpcurl and other clients take the list for what they can call.
    test('lists no service it does not serve', async () => {
      const client = reflectionClient('v1', address());
      try {
        assert.deepEqual(await listServices(client), [...services].sort());
      } finally {
        client.close();
      }
    });
  });
}
