// `npm run k8s:verify`: applies deploy/kubernetes to a real Kubernetes API server and fails on
// anything a cluster would refuse or warn about. It builds (once, cached with the rest of the
// infrastructure) and starts etcd, kube-apiserver and kube-controller-manager on loopback,
// installs Dapr's CRDs from the pinned Dapr module, applies the kustomization (its namespace
// enforces the restricted Pod Security Standard) with warnings as errors and strict field
// validation, waits until the controllers have created every Pod of every Deployment and
// StatefulSet (each one admitted under the restricted standard), and checks the NetworkPolicies
// against deploy/kubernetes/connectivity.yaml. There is no scheduler or kubelet: Pods are
// admitted, never run. Everything it started is stopped at the end.
//
//   npm run k8s:verify [-- --dir <kustomization dir>]
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import YAML from 'yaml';
import { ensureKubernetesTools } from '../infra/install.mjs';
import { DAPR_VERSION } from '../infra/versions.mjs';
import { run } from '../lib/exec.mjs';
import { FatalError, say } from '../lib/log.mjs';
import { assertPortsFree, Supervisor, tcpOpen, waitFor } from '../stack/supervisor.mjs';
import { REPO_ROOT } from '../stack/stack.mjs';
import { connectivityProblems } from './network-policy.mjs';

/** Loopback ports of the throw-away cluster (BANK_K8S_VERIFY_PORT_BASE, default 27000). */
const BASE = Number(process.env.BANK_K8S_VERIFY_PORT_BASE ?? 27000);
const PORTS = { etcdClient: BASE + 1, etcdPeer: BASE + 2, apiserver: BASE + 3, controllerManager: BASE + 4 };

/** Verifies one kustomization directory; returns the problems found (empty: it passed). */
export async function verifyKubernetes({ dir = path.join(REPO_ROOT, 'deploy', 'kubernetes') } = {}) {
  const bins = await ensureKubernetesTools();
  await assertPortsFree(Object.values(PORTS)).catch((err) => {
    throw new FatalError(`${err.message.split('.')[0]}: another k8s:verify running? Set BANK_K8S_VERIFY_PORT_BASE.`);
  });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-k8s-verify-'));
  const sup = new Supervisor(path.join(work, 'logs'));
  try {
    const kubectl = await startCluster(sup, bins, work);
    return await applyAndCheck(kubectl, dir);
  } finally {
    await sup.stopAll();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function startCluster(sup, bins, work) {
  const token = crypto.randomBytes(24).toString('hex');
  fs.writeFileSync(path.join(work, 'tokens.csv'), `${token},admin,admin,system:masters\n`, { mode: 0o600 });
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(path.join(work, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  fs.writeFileSync(path.join(work, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  const server = `https://127.0.0.1:${PORTS.apiserver}`;
  const kubeconfig = path.join(work, 'kubeconfig');
  fs.writeFileSync(
    kubeconfig,
    YAML.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'verify', cluster: { server, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'admin', user: { token } }],
      contexts: [{ name: 'verify', context: { cluster: 'verify', user: 'admin' } }],
      'current-context': 'verify',
    }),
    { mode: 0o600 },
  );

  say('k8s', 'starting etcd, kube-apiserver and kube-controller-manager on loopback');
  const etcdUrl = `http://127.0.0.1:${PORTS.etcdClient}`;
  const peerUrl = `http://127.0.0.1:${PORTS.etcdPeer}`;
  const etcd = sup.start('etcd', bins.etcd, [
    `--data-dir=${path.join(work, 'etcd')}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=default=${peerUrl}`,
    '--listen-metrics-urls=',
    '--unsafe-no-fsync', // a throw-away store for one check
    '--log-level=warn',
  ]);
  await waitFor('etcd', () => tcpOpen(PORTS.etcdClient), { entry: etcd, timeoutMs: 30_000 });
  const apiserver = sup.start('kube-apiserver', bins['kube-apiserver'], [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${PORTS.apiserver}`,
    '--endpoint-reconciler-type=none', // no kubernetes Service endpoints on loopback
    `--cert-dir=${path.join(work, 'certs')}`,
    `--token-auth-file=${path.join(work, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${path.join(work, 'sa.pub')}`,
    `--service-account-signing-key-file=${path.join(work, 'sa.key')}`,
    '--service-cluster-ip-range=10.96.0.0/16',
  ]);
  const kubectl = (args, opts = {}) => run(bins.kubectl, [`--kubeconfig=${kubeconfig}`, ...args], opts);
  await waitFor(
    'kube-apiserver',
    () =>
      kubectl(['get', '--raw=/readyz']).then(
        () => true,
        () => false,
      ),
    { entry: apiserver, timeoutMs: 120_000 },
  );
  const controllers = sup.start('kube-controller-manager', bins['kube-controller-manager'], [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${PORTS.controllerManager}`,
    '--leader-elect=false',
    `--service-account-private-key-file=${path.join(work, 'sa.key')}`,
    `--root-ca-file=${path.join(work, 'certs', 'apiserver.crt')}`,
  ]);
  await waitFor('kube-controller-manager', () => tcpOpen(PORTS.controllerManager), {
    entry: controllers,
    timeoutMs: 60_000,
  });
  say('k8s', `API server ready (kube-apiserver, etcd and the controllers; logs in ${sup.logDir})`);
  return kubectl;
}

async function applyAndCheck(kubectl, dir) {
  const problems = [];
  // Dapr's CRDs, from the module the local stack builds daprd from.
  const dapr = JSON.parse(await run('go', ['mod', 'download', '-json', `github.com/dapr/dapr@v${DAPR_VERSION}`]));
  await kubectl(['apply', '--warnings-as-errors', '-f', path.join(dapr.Dir, 'charts', 'dapr', 'crds')]);
  await kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);

  const kustomization = YAML.parse(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'));
  const namespace = kustomization.namespace;
  // The namespace first (the kustomization carries it), then the Secrets an operator creates.
  const rendered = await kubectl(['kustomize', dir]);
  const docs = YAML.parseAllDocuments(rendered)
    .map((d) => d.toJS())
    .filter(Boolean);
  const ns = docs.find((d) => d.kind === 'Namespace');
  if (!ns) return [`${dir} has no Namespace for ${namespace}`];
  if (ns.metadata.labels?.['pod-security.kubernetes.io/enforce'] !== 'restricted') {
    problems.push(`namespace ${namespace} does not enforce the restricted Pod Security Standard`);
  }
  // As docs/kubernetes.md has an operator do: the namespace, then the Secrets, then the rest.
  const nsFile = path.join(os.tmpdir(), `bank-k8s-namespace-${process.pid}.yaml`);
  fs.writeFileSync(nsFile, YAML.stringify(ns));
  try {
    await kubectl(['apply', '--warnings-as-errors', '--validate=strict', '-f', nsFile]);
  } finally {
    fs.rmSync(nsFile, { force: true });
  }
  for (const [name, keys] of Object.entries(operatorSecrets())) {
    await kubectl([
      'create',
      'secret',
      'generic',
      name,
      `--namespace=${namespace}`,
      ...keys.map((k) => `--from-literal=${k}=${crypto.randomBytes(16).toString('hex')}`),
    ]);
  }

  say('k8s', `kubectl apply -k ${path.relative(REPO_ROOT, dir) || '.'} (strict field validation, warnings as errors)`);
  try {
    await kubectl(['apply', '--warnings-as-errors', '--validate=strict', '-k', dir]);
  } catch (err) {
    return [...problems, `kubectl apply refused the manifests:\n${refusalOf(err)}`];
  }

  // The on-demand Jobs (jobs/), as an operator creates them.
  const jobsDir = path.join(dir, 'jobs');
  const jobDocs = fs.existsSync(jobsDir)
    ? fs
        .readdirSync(jobsDir)
        .filter((f) => f.endsWith('.yaml'))
        .flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(path.join(jobsDir, f), 'utf8')).map((d) => d.toJS()))
    : [];
  if (jobDocs.length > 0) {
    say('k8s', `kubectl create -f ${path.relative(REPO_ROOT, jobsDir)}`);
    try {
      await kubectl(['create', '--warnings-as-errors', '--validate=strict', '-f', jobsDir]);
    } catch (err) {
      return [...problems, `kubectl create refused the jobs:\n${refusalOf(err)}`];
    }
  }

  // Every Pod each controller should create, created (so admitted); else the controllers' reasons.
  const workloads = [...docs, ...jobDocs].filter((d) => ['Deployment', 'StatefulSet', 'Job'].includes(d.kind));
  const deadline = Date.now() + 90_000;
  for (;;) {
    const pods = JSON.parse(await kubectl(['get', 'pods', `--namespace=${namespace}`, '-o', 'json'])).items;
    const missing = workloads.filter(
      (w) =>
        pods.filter((p) => p.metadata.labels?.['app.kubernetes.io/name'] === w.metadata.name).length <
        (w.spec.replicas ?? 1),
    );
    if (missing.length === 0) {
      say('k8s', `${pods.length} pods of ${workloads.length} workloads admitted under the restricted standard`);
      const policies = JSON.parse(
        await kubectl(['get', 'networkpolicies', `--namespace=${namespace}`, '-o', 'json']),
      ).items;
      const expected = YAML.parse(fs.readFileSync(path.join(dir, 'connectivity.yaml'), 'utf8')).allowed;
      problems.push(...connectivityProblems(expected, policies, pods, namespace));
      return problems;
    }
    if (Date.now() > deadline) {
      const events = JSON.parse(await kubectl(['get', 'events', `--namespace=${namespace}`, '-o', 'json'])).items;
      const refusals = events
        .filter((e) => e.reason === 'FailedCreate')
        .map((e) => `${e.involvedObject.kind}/${e.involvedObject.name}: ${e.message}`);
      return [
        ...problems,
        `no pods created for ${missing.map((w) => `${w.kind}/${w.metadata.name}`).join(', ')}`,
        ...new Set(refusals),
      ];
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Why kubectl refused: its reasons, not the list of what it created before the refusal. */
function refusalOf(err) {
  return (err.output ?? err.message)
    .split('\n')
    .filter((l) => /warning|error|invalid|forbidden/i.test(l))
    .join('\n');
}

/** The Secrets docs/kubernetes.md has an operator create, with their keys. */
function operatorSecrets() {
  return {
    'immudb-admin': ['password'],
    'immudb-log-password': ['immudb-log-password'],
    'mongodb-admin': ['password'],
    'read-model-password': ['read-model-password'],
    'redis-password': ['redis-password'],
    'dapr-api-token': ['token'],
    'app-api-token': ['token'],
    'actor-caller-tokens': ['command-api', 'projections', 'actors'],
    'rebuild-token': ['token'], // for jobs/rebuild.yaml
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--dir');
  const dir = i > 0 ? path.resolve(process.argv[i + 1]) : undefined;
  verifyKubernetes({ dir }).then(
    (problems) => {
      if (problems.length === 0) {
        say(
          'k8s',
          'verified: every object accepted, every pod admitted, the NetworkPolicies as connectivity.yaml says',
        );
        return;
      }
      for (const p of problems) say('k8s', `PROBLEM: ${p}`);
      process.exit(1);
    },
    (err) => {
      say('k8s', `FAILED: ${err instanceof FatalError ? err.message : err.stack}`);
      process.exit(1);
    },
  );
}
