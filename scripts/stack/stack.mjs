// Starts one whole stack (infrastructure, then the five apps with sidecars) and stops it.
// Used by `npm start`, the end-to-end tests and the benchmark, so all three run the same thing.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInfra } from '../infra/install.mjs';
import { say } from '../lib/log.mjs';
import { startApps } from './apps.mjs';
import { startInfra } from './infra.mjs';
import { portLayout } from './ports.mjs';
import { assertPortsFree, Supervisor } from './supervisor.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * One running stack. `stop()` stops every process it started.
 * @typedef {{ layout: import('./ports.mjs').PortLayout, urls: { commandApi: string, queryApi: string },
 *   bins: Awaited<ReturnType<typeof ensureInfra>>, supervisor: Supervisor, stop: () => Promise<void> }} Stack
 */

/**
 * @param {{ base: number, appPorts?: 'contract'|'block', dataDir: string, apps?: boolean,
 *   onSupervisor?: (supervisor: Supervisor) => void }} opts
 *   onSupervisor receives the supervisor before anything starts, so a caller can stop
 *   whatever has started if it is interrupted during start-up.
 * @returns {Promise<Stack>}
 */
export async function startStack({ base, appPorts = 'block', dataDir, apps = true, onSupervisor }) {
  const bins = await ensureInfra();
  const layout = portLayout(base, appPorts);
  const infraPorts = [
    layout.sentry.port,
    layout.sentry.healthz,
    layout.placement.port,
    layout.scheduler.port,
    layout.redis.port,
    layout.immudb.port,
    layout.ferretdb.port,
    layout.postgres.port,
  ];
  const appPortList = apps
    ? Object.values(layout.apps).flatMap((a) => [a.appPort, a.daprHTTPPort, a.daprGRPCPort])
    : [];
  await assertPortsFree([...infraPorts, ...appPortList]);

  const supervisor = new Supervisor(path.join(dataDir, 'logs'));
  onSupervisor?.(supervisor);
  const stop = async () => {
    say('stack', 'stopping every process ...');
    await supervisor.stopAll();
    say('stack', 'stopped');
  };
  try {
    say('stack', `starting infrastructure on ports ${base}-${base + 16} (data: ${dataDir})`);
    await startInfra(supervisor, bins, layout, dataDir);
    if (apps) {
      say('stack', 'starting the five apps with their Dapr sidecars');
      await startApps(supervisor, bins, layout, dataDir, REPO_ROOT);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const urls = {
    commandApi: `http://127.0.0.1:${layout.apps['command-api'].appPort}`,
    queryApi: `http://127.0.0.1:${layout.apps['query-api'].appPort}`,
  };
  return { layout, urls, bins, supervisor, stop };
}
