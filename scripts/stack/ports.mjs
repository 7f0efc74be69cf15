// One block of loopback ports per running copy of the stack, so `npm start` and the
// tests never collide with each other or with the usual 5432/6379/27017/8080/9090.
// The blocks sit below Linux's ephemeral range (32768-60999): a port in that range can be
// taken at any moment by an outgoing connection, and a server then fails to bind it.
/** The block dapr.yaml and components/ are written for. */
export const DEFAULT_RUN_PORT_BASE = 25000;
export const RUN_PORT_BASE = Number(process.env.BANK_PORT_BASE ?? DEFAULT_RUN_PORT_BASE);
export const TEST_PORT_BASE = Number(process.env.BANK_TEST_PORT_BASE ?? 26000);

export const APP_IDS = ['command-api', 'query-api', 'actors', 'event-source', 'projections'];

/**
 * The Dapr app id of an app in the stack on block `base`. Dapr in standalone mode finds apps by
 * mDNS, machine-wide: two stacks with the same app ids (npm start next to the tests, or two test
 * runs) would call each other's event-source. Every block but the default one suffixes its ids.
 */
export const daprAppId = (base, id) => (base === DEFAULT_RUN_PORT_BASE ? id : `${id}-b${base}`);

/** Contract defaults for the apps' own ports, overridable by the contract's env vars. */
const CONTRACT_APP_PORTS = {
  'command-api': ['COMMAND_API_PORT', 3000],
  'query-api': ['QUERY_API_PORT', 3001],
  actors: ['ACTORS_PORT', 3002],
  'event-source': ['EVENT_SOURCE_PORT', 3003],
  projections: ['PROJECTIONS_PORT', 3004],
};

/**
 * @typedef {{ envVar: string, appPort: number, daprHTTPPort: number, daprGRPCPort: number,
 *   daprInternalGRPCPort: number, metricsPort: number }} AppPorts
 * @typedef {{ base: number,
 *   placement: { port: number, healthz: number, metrics: number, raft: number },
 *   sentry: { port: number, healthz: number },
 *   scheduler: { port: number, healthz: number, metrics: number, etcdClient: number, etcdPeer: number },
 *   redis: { port: number }, immudb: { port: number, metrics: number, database?: string },
 *   ferretdb: { port: number, debug: number }, postgres: { port: number },
 *   apps: Record<string, AppPorts>, readModelBackend?: string }} PortLayout
 *   startInfra sets `immudb.database` (the event log's) and `readModelBackend` (FerretDB's storage).
 */

/**
 * @param {number} base first port of the block
 * @param {'contract' | 'block'} [appPorts] 'contract' to give the apps their contract ports (npm
 *   start), 'block' to put them inside the block too (tests, benchmarks)
 * @returns {PortLayout}
 */
export function portLayout(base, appPorts = 'block') {
  /** @type {Record<string, AppPorts>} */
  const apps = {};
  APP_IDS.forEach((id, i) => {
    const [envVar, contractPort] = CONTRACT_APP_PORTS[id];
    apps[id] = {
      envVar,
      appPort: appPorts === 'contract' ? Number(process.env[envVar] ?? contractPort) : base + 50 + i,
      daprHTTPPort: base + 20 + i * 5,
      daprGRPCPort: base + 21 + i * 5,
      daprInternalGRPCPort: base + 22 + i * 5,
      metricsPort: base + 23 + i * 5,
    };
  });
  return {
    base,
    placement: { port: base, healthz: base + 1, metrics: base + 2, raft: base + 7 },
    sentry: { port: base + 9, healthz: base + 16 },
    scheduler: { port: base + 3, healthz: base + 4, metrics: base + 5, etcdClient: base + 6, etcdPeer: base + 8 },
    redis: { port: base + 10 },
    immudb: { port: base + 11, metrics: base + 12 },
    ferretdb: { port: base + 13, debug: base + 14 },
    postgres: { port: base + 15 },
    apps,
  };
}
