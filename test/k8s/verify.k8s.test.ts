// `npm run k8s:verify` against the shipped manifests and against broken copies of them: each
// kind of break it exists to catch makes it fail, with the reason. Each run starts its own API
// server (scripts/k8s/verify.mjs).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';

const ROOT = path.resolve(__dirname, '..', '..');
const K8S = path.join(ROOT, 'deploy', 'kubernetes');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any; // a parsed manifest, edited freely

function verify(dir?: string): { ok: boolean; output: string } {
  const res = spawnSync('node', ['scripts/k8s/verify.mjs', ...(dir ? ['--dir', dir] : [])], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 15 * 60_000,
  });
  const output = `${res.stdout}${res.stderr}`;
  process.stdout.write(output);
  return { ok: res.status === 0, output };
}

const copies: string[] = [];
afterAll(() => copies.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A copy of the manifests with `change` applied to the documents of one file. */
function brokenCopy(file: string, change: (docs: Doc[]) => Doc[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-k8s-broken-'));
  copies.push(dir);
  fs.cpSync(K8S, dir, { recursive: true });
  const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8')).map((d) => d.toJS());
  fs.writeFileSync(
    path.join(dir, file),
    change(docs)
      .map((d) => YAML.stringify(d))
      .join('---\n'),
  );
  return dir;
}

const deployment = (docs: Doc[], name: string) => docs.find((d) => d.kind === 'Deployment' && d.metadata.name === name);

it('accepts the shipped manifests: every object applied, every pod admitted, the policies as connectivity.yaml says', () => {
  const { ok, output } = verify();
  expect(output).toContain('verified');
  expect(ok).toBe(true);
});

it('fails on a pod the restricted Pod Security Standard refuses', () => {
  const dir = brokenCopy('apps.yaml', (docs) => {
    deployment(docs, 'command-api').spec.template.spec.containers[0].securityContext.capabilities = {
      add: ['NET_ADMIN'],
    };
    return docs;
  });
  const { ok, output } = verify(dir);
  expect(ok).toBe(false);
  expect(output).toMatch(/PodSecurity|restricted/);
});

it('fails on a field Kubernetes does not know', () => {
  const dir = brokenCopy('apps.yaml', (docs) => {
    deployment(docs, 'query-api').spec.template.spec.containers[0].readinesProbe = { tcpSocket: { port: 3001 } };
    return docs;
  });
  const { ok, output } = verify(dir);
  expect(ok).toBe(false);
  expect(output).toMatch(/unknown field.*readinesProbe/);
});

it('fails when a NetworkPolicy allow is dropped, or one too many is added', () => {
  const dropped = brokenCopy('network-policy.yaml', (docs) =>
    docs.filter((d) => d.metadata.name !== 'immudb-from-event-source'),
  );
  const res = verify(dropped);
  expect(res.ok).toBe(false);
  expect(res.output).toContain('event-source -> immudb:3322 should be allowed');

  const widened = brokenCopy('network-policy.yaml', (docs) => {
    docs
      .find((d) => d.metadata.name === 'mongodb-from-readers-and-writers')
      .spec.ingress[0].from.push({
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'command-api' } },
      });
    return docs;
  });
  const wide = verify(widened);
  expect(wide.ok).toBe(false);
  expect(wide.output).toContain('command-api -> mongodb:27017 is allowed');
});
