// Which pod may open a connection to which port of which pod, as the NetworkPolicies applied to
// the API server say (the ingress half of the Kubernetes rules); `npm run k8s:verify` compares it
// with deploy/kubernetes/connectivity.yaml. No network plugin is involved: the rules are read,
// not exercised.

/** Whether a label selector ({ matchLabels, matchExpressions }) selects `labels`; {} selects all. */
export function selects(selector, labels = {}) {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    const ok = {
      In: has && values.includes(labels[key]),
      NotIn: !has || !values.includes(labels[key]),
      Exists: has,
      DoesNotExist: !has,
    }[operator];
    if (!ok) return false;
  }
  return true;
}

/**
 * Whether `source` ({ namespace, namespaceLabels, labels }) may connect to `port` of `target`
 * ({ namespace, labels, ports: { name: number } }) under `policies` (NetworkPolicy objects).
 */
export function ingressAllowed(policies, source, target, port) {
  const applying = policies.filter(
    (p) =>
      p.metadata.namespace === target.namespace &&
      selects(p.spec.podSelector, target.labels) &&
      (p.spec.policyTypes ?? ['Ingress']).includes('Ingress'),
  );
  if (applying.length === 0) return true; // not isolated
  return applying.some((p) =>
    (p.spec.ingress ?? []).some(
      (rule) =>
        portMatches(rule.ports, target, port) &&
        (rule.from === undefined || rule.from.length === 0 || rule.from.some((peer) => peerMatches(peer, p, source))),
    ),
  );
}

function portMatches(ports, target, port) {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if (p.port === undefined) return true;
    const number = typeof p.port === 'number' ? p.port : target.ports?.[p.port];
    if (p.endPort !== undefined) return port >= number && port <= p.endPort;
    return number === port;
  });
}

function peerMatches(peer, policy, source) {
  if (peer.ipBlock) return false; // pods are not matched by address here
  const inNamespace = peer.namespaceSelector
    ? selects(peer.namespaceSelector, source.namespaceLabels)
    : source.namespace === policy.metadata.namespace;
  if (!inNamespace) return false;
  return peer.podSelector ? selects(peer.podSelector, source.labels) : true;
}

/**
 * Every difference between the connections `expected` allows (connectivity.yaml: entries of
 * { to, port, from: [names] | '*' }) and what the policies allow, between the `pods` of the
 * namespace (by their app.kubernetes.io/name) and a pod of another namespace ('elsewhere'), on
 * every port the file names.
 */
export function connectivityProblems(expected, policies, pods, namespace) {
  const byName = new Map();
  for (const pod of pods) {
    const name = pod.metadata.labels?.['app.kubernetes.io/name'];
    if (!name || byName.has(name)) continue;
    const ports = {};
    for (const c of pod.spec.containers ?? [])
      for (const p of c.ports ?? []) if (p.name) ports[p.name] = p.containerPort;
    byName.set(name, { namespace, labels: pod.metadata.labels, ports });
  }
  const sources = new Map(
    [...byName].map(([name, t]) => [
      name,
      { namespace, namespaceLabels: { 'kubernetes.io/metadata.name': namespace }, labels: t.labels },
    ]),
  );
  sources.set('elsewhere', {
    namespace: 'elsewhere',
    namespaceLabels: { 'kubernetes.io/metadata.name': 'elsewhere' },
    labels: {},
  });
  const problems = [];
  for (const entry of expected) {
    for (const to of [entry.to].flat())
      if (!byName.has(to)) problems.push(`connectivity.yaml names ${to}, which has no pod`);
  }
  const ports = [...new Set(expected.map((e) => e.port))];
  for (const [toName, target] of byName) {
    for (const port of ports) {
      for (const [fromName, source] of sources) {
        if (fromName === toName) continue; // a pod reaching itself goes over loopback
        const want = expected.some(
          (e) => [e.to].flat().includes(toName) && e.port === port && (e.from === '*' || e.from.includes(fromName)),
        );
        const have = ingressAllowed(policies, source, target, port);
        if (want && !have)
          problems.push(`${fromName} -> ${toName}:${port} should be allowed, and no NetworkPolicy allows it`);
        if (!want && have)
          problems.push(`${fromName} -> ${toName}:${port} is allowed, and connectivity.yaml does not allow it`);
      }
    }
  }
  return problems;
}
