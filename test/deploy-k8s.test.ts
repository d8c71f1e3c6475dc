// deploy/k8s: both overlays rendered by `kubectl kustomize`, every object validated against the Kubernetes schemas, and the invariants that keep runlog correct there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { NATS_MAX_PAYLOAD } from '../scripts/local-cluster.js';
import { duration, size } from '../services/common/config.js';
import { parseDockerfile } from './helpers/dockerfile.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const OVERLAYS = { dev: { partitions: 2, streamReplicas: 1 }, prod: { partitions: 4, streamReplicas: 3 } } as const;
const SERVICE_LISTEN_ENV: Record<string, string> = { ingest: 'RUNLOG_INGEST_ADDR', query: 'RUNLOG_QUERY_ADDR', persister: 'RUNLOG_PERSISTER_HEALTH_ADDR' };

// Types for what the invariants read; the schemas below check the full objects.
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- rendered manifests, validated by schema
  data?: Record<string, string>;
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  envFrom?: { configMapRef?: { name: string; optional?: boolean }; secretRef?: { name: string; optional?: boolean } }[];
  ports?: { name?: string; containerPort: number }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface Probe {
  grpc?: { port: number; service?: string };
  httpGet?: { port: number | string; path: string };
}

/** kubectl with kustomize v5 (components, replacements, labels), or why there is none. */
function findKustomize(): { ok: true } | { ok: false; why: string } {
  const version = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    return { ok: false, why: 'kubectl is not installed (install kubectl ≥ 1.27, which bundles kustomize v5; Debian bookworm\'s kubernetes-client 1.20 is too old for components and replacements)' };
  }
  const kustomize = /Kustomize Version: v(\d+)/.exec(version.stdout);
  if (!kustomize || Number(kustomize[1]) < 5) return { ok: false, why: `kubectl bundles no kustomize v5 (${version.stdout.trim().replace(/\n/g, '; ')}): install kubectl ≥ 1.27` };
  return { ok: true };
}
const kustomize = findKustomize();
if (!kustomize.ok) process.stderr.write(`\n*** deploy-k8s: SKIPPED, ${kustomize.why} ***\n\n`);

function render(overlay: string): K8sObject[] {
  const result = spawnSync('kubectl', ['kustomize', join(REPO, 'deploy/k8s/overlays', overlay)], { encoding: 'utf8' });
  assert.equal(result.status, 0, `kubectl kustomize ${overlay} failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout).map((doc) => {
    assert.equal(doc.errors.length, 0, String(doc.errors[0]));
    return doc.toJS() as K8sObject;
  });
}

async function validateAgainstSchema(object: K8sObject): Promise<void> {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : [undefined, object.apiVersion];
  const modulePath = `kubernetes-models/${group ? `${group}/` : ''}${version}/${object.kind}`;
  const module = (await import(modulePath)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = module[object.kind];
  assert.ok(Model, `${modulePath} exports ${object.kind}`);
  try {
    new Model(object).validate();
  } catch (error) {
    assert.fail(`${object.kind}/${object.metadata.name} does not match the Kubernetes schema: ${(error as Error).message}`);
  }
}

const workloadsOf = (objects: K8sObject[]) => objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
const containersOf = (workload: K8sObject): Container[] => workload.spec.template.spec.containers;
const one = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind}/${name} is rendered`);
  return found;
};
const configOf = (objects: K8sObject[]): Record<string, string> => {
  const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('runlog-config'));
  assert.ok(config?.data, 'the runlog-config ConfigMap is rendered');
  return config.data;
};
const envOf = (container: Container, name: string) => container.env?.find((e) => e.name === name);
const labelsMatch = (selector: Record<string, string>, labels: Record<string, string> = {}) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Settings the services read: every `env: 'RUNLOG_…'` in services/, so a manifest cannot set a misspelt one. */
function knownSettings(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) for (const match of readFileSync(path, 'utf8').matchAll(/env: '(RUNLOG_[A-Z_]+)'/g)) names.add(match[1]);
    }
  };
  walk(join(REPO, 'services'));
  return names;
}

function cpuMillis(quantity: string): number {
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) : Number(quantity) * 1000;
}
function memoryBytes(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(quantity);
  assert.ok(match, `memory quantity ${quantity}`);
  const units: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };
  return Number(match[1]) * (match[2] ? units[match[2]] : 1);
}

for (const [overlay, expected] of Object.entries(OVERLAYS)) {
  test(`overlay ${overlay}`, { skip: kustomize.ok ? false : kustomize.why }, async (t) => {
    const objects = render(overlay);

    await t.test('every rendered object matches the Kubernetes schema of its kind', async () => {
      const kinds = new Set(objects.map((o) => o.kind));
      for (const kind of ['Namespace', 'ConfigMap', 'Service', 'Deployment', 'StatefulSet', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy']) {
        assert.ok(kinds.has(kind), `a ${kind} is rendered`);
      }
      for (const object of objects) await validateAgainstSchema(object);
    });

    await t.test('every container has requests and limits of CPU and memory, requests within limits', () => {
      for (const workload of workloadsOf(objects)) {
        for (const container of containersOf(workload)) {
          const { requests, limits } = container.resources ?? {};
          const where = `${workload.metadata.name}/${container.name}`;
          for (const resource of ['cpu', 'memory']) {
            assert.ok(requests?.[resource], `${where} requests ${resource}`);
            assert.ok(limits?.[resource], `${where} limits ${resource}`);
          }
          assert.ok(cpuMillis(requests!.cpu) <= cpuMillis(limits!.cpu), `${where}: cpu request within limit`);
          assert.ok(memoryBytes(requests!.memory) <= memoryBytes(limits!.memory), `${where}: memory request within limit`);
        }
      }
    });

    await t.test('probes: every container has readiness and liveness probes on one of its own ports; runlog\'s are gRPC health on the port it listens on', () => {
      for (const workload of workloadsOf(objects)) {
        for (const container of containersOf(workload)) {
          const where = `${workload.metadata.name}/${container.name}`;
          const ports = container.ports ?? [];
          for (const kind of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
            const probe = container[kind];
            if (kind !== 'startupProbe') assert.ok(probe, `${where} has a ${kind}`);
            if (!probe) continue;
            const port = probe.grpc?.port ?? probe.httpGet?.port;
            assert.ok(ports.some((p) => p.containerPort === port || p.name === port), `${where} ${kind} port ${port} is one of the container's ports`);
          }
          if (container.image.startsWith('runlog')) {
            const service = container.args?.[0] ?? '';
            const listen = envOf(container, SERVICE_LISTEN_ENV[service])?.value;
            assert.ok(listen, `${where} sets ${SERVICE_LISTEN_ENV[service]}`);
            const [host, port] = listen.split(':');
            assert.equal(host, '0.0.0.0', `${where} listens on every interface, so the kubelet and the Service reach it`);
            for (const kind of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
              assert.equal(container[kind]?.grpc?.port, Number(port), `${where} ${kind} asks grpc.health.v1 on the port ${SERVICE_LISTEN_ENV[service]} binds`);
            }
            assert.ok(ports.some((p) => p.containerPort === Number(port)), `${where} declares port ${port}`);
          }
        }
      }
    });

    await t.test('every Service selects pods of a workload and targets one of their container ports', () => {
      for (const service of objects.filter((o) => o.kind === 'Service')) {
        const workload = workloadsOf(objects).find((w) => labelsMatch(service.spec.selector, w.spec.template.metadata.labels));
        assert.ok(workload, `Service ${service.metadata.name} selects a workload's pods`);
        const ports = containersOf(workload).flatMap((c) => c.ports ?? []);
        for (const port of service.spec.ports) {
          assert.ok(ports.some((p) => p.name === port.targetPort || p.containerPort === port.targetPort), `Service ${service.metadata.name} port ${port.name} targets a container port`);
        }
      }
      for (const workload of objects.filter((o) => o.kind === 'StatefulSet')) one(objects, 'Service', workload.spec.serviceName);
    });

    await t.test('non-root, read-only root filesystem, no privilege escalation, no capabilities; the image\'s user', () => {
      const dockerfile = parseDockerfile(readFileSync(join(REPO, 'deploy/Dockerfile'), 'utf8'));
      const imageUid = Number(dockerfile.stages.at(-1)!.instructions.filter((i) => i.keyword === 'USER').at(-1)!.args.split(':')[0]);
      for (const workload of workloadsOf(objects)) {
        const pod = workload.spec.template.spec;
        assert.equal(pod.securityContext?.runAsNonRoot, true, `${workload.metadata.name} runs as non-root`);
        assert.notEqual(pod.securityContext?.runAsUser, 0);
        for (const container of containersOf(workload)) {
          const where = `${workload.metadata.name}/${container.name}`;
          assert.equal(container.securityContext?.readOnlyRootFilesystem, true, `${where} has a read-only root filesystem`);
          assert.equal(container.securityContext?.allowPrivilegeEscalation, false, `${where} cannot escalate`);
          assert.deepEqual(container.securityContext?.capabilities?.drop, ['ALL'], `${where} drops every capability`);
          if (container.image.startsWith('runlog')) assert.equal(pod.securityContext.runAsUser, imageUid, `${where} runs as the image's USER`);
        }
      }
    });

    await t.test('runlog containers run a service of the image, with settings the services know and objects that exist', () => {
      const entrypoint = readFileSync(join(REPO, 'deploy/image/runlog.mjs'), 'utf8');
      const imageServices = /const SERVICES = \[([^\]]*)\]/.exec(entrypoint)![1].split(',').map((s) => s.trim().replace(/'/g, ''));
      const known = knownSettings();
      for (const name of Object.keys(configOf(objects))) assert.ok(known.has(name), `runlog-config's ${name} is a setting of the services`);
      const runlogContainers = workloadsOf(objects).flatMap((w) => containersOf(w).filter((c) => c.image.startsWith('runlog')).map((c) => ({ workload: w, container: c })));
      assert.deepEqual(runlogContainers.map((r) => r.container.args?.[0]).sort(), ['ingest', 'persister', 'query']);
      for (const { workload, container } of runlogContainers) {
        assert.ok(imageServices.includes(container.args![0]), `${workload.metadata.name} runs a service of the image`);
        for (const env of container.env ?? []) if (env.name.startsWith('RUNLOG_')) assert.ok(known.has(env.name), `${env.name} is a setting of the services`);
        for (const from of container.envFrom ?? []) {
          const ref = from.configMapRef ?? from.secretRef!;
          if (ref.optional) continue;
          one(objects, from.configMapRef ? 'ConfigMap' : 'Secret', ref.name);
        }
        // The drain finishes before the kubelet's SIGKILL.
        const grace = duration(configOf(objects).RUNLOG_DRAIN_GRACE);
        assert.ok(grace < workload.spec.template.spec.terminationGracePeriodSeconds * 1000, `${workload.metadata.name}: RUNLOG_DRAIN_GRACE below terminationGracePeriodSeconds`);
      }
    });

    await t.test(`the partition count is one number (${expected.partitions}): the ConfigMap every service reads and the persisters' replicas; each persister's partition is its ordinal`, () => {
      const config = configOf(objects);
      assert.equal(config.RUNLOG_PARTITIONS, String(expected.partitions));
      const persisters = one(objects, 'StatefulSet', 'persister');
      assert.equal(persisters.spec.replicas, expected.partitions);
      for (const workload of workloadsOf(objects)) {
        for (const container of containersOf(workload).filter((c) => c.image.startsWith('runlog'))) {
          assert.ok(!envOf(container, 'RUNLOG_PARTITIONS'), `${workload.metadata.name} takes RUNLOG_PARTITIONS from the ConfigMap only`);
          assert.ok(container.envFrom?.some((f) => f.configMapRef?.name.startsWith('runlog-config')), `${workload.metadata.name} reads runlog-config`);
        }
      }
      const persister = containersOf(persisters)[0];
      assert.equal(envOf(persister, 'RUNLOG_PARTITION')?.valueFrom?.fieldRef?.fieldPath, "metadata.labels['apps.kubernetes.io/pod-index']");
      assert.equal(persisters.spec.podManagementPolicy, 'Parallel');
    });

    await t.test('the persister writes its DuckDB file to its own volume, and nothing else of it is writable but /tmp', () => {
      const persisters = one(objects, 'StatefulSet', 'persister');
      const persister = containersOf(persisters)[0];
      const dataDir = envOf(persister, 'RUNLOG_DATA_DIR')?.value ?? configOf(objects).RUNLOG_DATA_DIR;
      assert.ok(dataDir, 'RUNLOG_DATA_DIR is set');
      const claims = persisters.spec.volumeClaimTemplates.map((c: K8sObject) => c.metadata.name);
      const mount = persister.volumeMounts?.find((m) => m.mountPath === dataDir);
      assert.ok(mount, `a volume is mounted at RUNLOG_DATA_DIR=${dataDir}`);
      assert.ok(claims.includes(mount.name), `the volume at ${dataDir} is the pod's own PersistentVolumeClaim`);
      for (const m of persister.volumeMounts!) assert.ok(m.mountPath === dataDir || m.mountPath === '/tmp', `only ${dataDir} and /tmp are writable (${m.mountPath})`);
    });

    await t.test(`NATS: 3 JetStream nodes, stream replicas ${expected.streamReplicas}, limits in step with the services'`, () => {
      const nats = one(objects, 'StatefulSet', 'nats');
      assert.equal(nats.spec.replicas, 3);
      const config = configOf(objects);
      assert.equal(Number(config.RUNLOG_STREAM_REPLICAS), expected.streamReplicas);
      assert.ok(Number(config.RUNLOG_STREAM_REPLICAS) <= nats.spec.replicas);
      const natsConf = one(objects, 'ConfigMap', objects.find((o) => o.metadata.name.startsWith('nats-config'))!.metadata.name).data!['nats.conf'];
      const routes = [...natsConf.matchAll(/nats:\/\/(nats-\d+)\.nats-headless:6222/g)].map((m) => m[1]);
      assert.deepEqual(routes, Array.from({ length: nats.spec.replicas }, (_, i) => `nats-${i}`), 'a route to every node');
      const maxPayload = size(/max_payload:\s*(\d+)MB/.exec(natsConf)![1] + 'MiB');
      assert.ok(maxPayload >= NATS_MAX_PAYLOAD, 'max_payload holds the largest step state');
      const maxFileStore = size(/max_file_store:\s*(\d+)GB/.exec(natsConf)![1] + 'GiB');
      assert.ok(size(config.RUNLOG_STREAM_MAX_BYTES) < maxFileStore, 'the stream limit is hit before the JetStream store limit');
      const claim = nats.spec.volumeClaimTemplates[0];
      assert.ok(memoryBytes(claim.spec.resources.requests.storage) > maxFileStore, 'the volume is larger than the JetStream store limit');
      assert.match(config.RUNLOG_NATS_URL, /^nats:\/\/nats:4222$/);
      one(objects, 'Service', 'nats');
    });

    await t.test('ingest and query: an autoscaler and a disruption budget each, over their own pods', () => {
      for (const name of ['ingest', 'query']) {
        const deployment = one(objects, 'Deployment', name);
        const hpa = one(objects, 'HorizontalPodAutoscaler', name);
        assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name });
        assert.ok(hpa.spec.minReplicas >= 1 && hpa.spec.minReplicas <= hpa.spec.maxReplicas);
        const pdb = one(objects, 'PodDisruptionBudget', name);
        assert.ok(labelsMatch(pdb.spec.selector.matchLabels, deployment.spec.template.metadata.labels), `PDB ${name} selects the ${name} pods`);
        assert.equal(pdb.spec.maxUnavailable, 1, 'a drain never blocks, whatever the replica count');
        assert.equal(deployment.spec.strategy.rollingUpdate.maxUnavailable, 0, 'an upgrade keeps every serving pod until its replacement is ready');
      }
    });

    await t.test('NetworkPolicy: ingress denied by default; NATS reached by the runlog services and its peers only', () => {
      const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
      const denyAll = policies.find((p) => Object.keys(p.spec.podSelector).length === 0);
      assert.ok(denyAll && denyAll.spec.policyTypes.includes('Ingress') && !denyAll.spec.ingress, 'a default-deny ingress policy');
      const nats = policies.find((p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === 'nats');
      assert.ok(nats);
      const clientRule = nats.spec.ingress.find((rule: { ports: { port: number }[] }) => rule.ports.some((p) => p.port === 4222));
      assert.deepEqual(clientRule.from[0].podSelector.matchExpressions[0].values.sort(), ['ingest', 'persister', 'query']);
      for (const rule of nats.spec.ingress) assert.ok(rule.from?.length > 0, 'every NATS rule names who may connect');
      const persisterPolicies = policies.filter((p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === 'persister');
      assert.equal(persisterPolicies.length, 0, 'no ingress to persisters (their reads come over NATS)');
      for (const name of ['ingest', 'query']) assert.ok(policies.some((p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === name), `${name}'s gRPC port is open`);
    });

    await t.test('every namespaced object is in the overlay\'s namespace', () => {
      const namespace = one(objects, 'Namespace', overlay === 'prod' ? 'runlog' : 'runlog-dev').metadata.name;
      for (const object of objects.filter((o) => o.kind !== 'Namespace')) assert.equal(object.metadata.namespace, namespace, `${object.kind}/${object.metadata.name}`);
    });
  });
}
