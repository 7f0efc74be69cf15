// `npm run infra`: what the apps need besides Dapr, for `dapr run -f dapr.yaml` with the Dapr
// CLI: Redis, ImmuDB with the log's database and user, PostgreSQL and FerretDB (the read
// model), on the ports dapr.yaml and components/ name, and placement and scheduler on the
// `dapr init` ports (localhost:50005 and 50006) unless something already listens there. Writes
// the secrets file the sidecars' local secret store reads and the development token issuer,
// prints where everything listens, and stops all it started on Ctrl-C.
import path from 'node:path';
import { ensureInfra } from './infra/install.mjs';
import { run } from './lib/exec.mjs';
import { FatalError, say } from './lib/log.mjs';
import { ensureDevIssuer } from './stack/dev-issuer.mjs';
import { startInfra } from './stack/infra.mjs';
import { DEFAULT_RUN_PORT_BASE, portLayout } from './stack/ports.mjs';
import { daprSecretsFile } from './stack/secrets.mjs';
import { REPO_ROOT } from './stack/stack.mjs';
import { assertPortsFree, stopOnSignals, Supervisor, tcpOpen } from './stack/supervisor.mjs';

/** Where `dapr init` runs placement and scheduler, and so where dapr.yaml looks for them. */
const DAPR_INIT = { placement: 50005, scheduler: 50006 };

async function main() {
  let supervisor;
  stopOnSignals('infra', () => supervisor);

  // event-source's compiled code prepares the log (as npm start does).
  await run('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT });
  const bins = await ensureInfra();
  // The apps run in their own directories and read ../.data (dapr.yaml, components/secretstore.yaml).
  const dataDir = path.join(REPO_ROOT, '.data');
  const layout = portLayout(DEFAULT_RUN_PORT_BASE, 'contract');
  layout.placement.port = DAPR_INIT.placement;
  layout.scheduler.port = DAPR_INIT.scheduler;
  const running = (await tcpOpen(DAPR_INIT.placement)) && (await tcpOpen(DAPR_INIT.scheduler));
  if (!running && ((await tcpOpen(DAPR_INIT.placement)) || (await tcpOpen(DAPR_INIT.scheduler)))) {
    throw new FatalError(
      `only one of placement (${DAPR_INIT.placement}) and scheduler (${DAPR_INIT.scheduler}) is listening`,
    );
  }
  await assertPortsFree([layout.redis.port, layout.immudb.port, layout.ferretdb.port, layout.postgres.port]);
  supervisor = new Supervisor(path.join(dataDir, 'logs'));
  await startInfra(supervisor, bins, layout, dataDir, { controlPlane: running ? 'none' : 'plain' });
  daprSecretsFile(dataDir);
  ensureDevIssuer(dataDir);
  supervisor.restartCrashed();

  const at = (port) => `127.0.0.1:${port}`;
  process.stdout.write(
    [
      '',
      'The infrastructure is running; start the apps with the Dapr CLI in another terminal:',
      '    dapr run -f dapr.yaml',
      `  Redis:               ${at(layout.redis.port)} (password in .data/secrets/dapr-secrets.json)`,
      `  ImmuDB:              ${at(layout.immudb.port)} (database bank, user bank)`,
      `  FerretDB:            ${at(layout.ferretdb.port)} (on ${layout.readModelBackend === 'postgresql' ? `PostgreSQL ${at(layout.postgres.port)}` : 'SQLite'})`,
      `  Placement/scheduler: localhost:${DAPR_INIT.placement} / localhost:${DAPR_INIT.scheduler} (${running ? 'yours, already running' : 'started here'})`,
      '  Tokens:              npm run --silent token -- --sub alice --role customer',
      `  Logs:                ${path.join(dataDir, 'logs')}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  say('infra', `FAILED: ${err instanceof FatalError ? err.message : (err.stack ?? err)}`);
  process.exit(1);
});
