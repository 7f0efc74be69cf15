// `npm start`: builds what is missing, starts the whole system, prints where to point a client,
// restarts any process that dies, and on Ctrl-C or SIGTERM stops every process it started.
import path from 'node:path';
import { FatalError, say } from './lib/log.mjs';
import { run } from './lib/exec.mjs';
import { mintToken } from './stack/dev-issuer.mjs';
import { RUN_PORT_BASE } from './stack/ports.mjs';
import { REPO_ROOT, startStack } from './stack/stack.mjs';
import { stopOnSignals } from './stack/supervisor.mjs';

async function main() {
  // Handlers first: an interrupt at any moment, even mid start-up, stops what was started.
  let supervisor;
  stopOnSignals('start', () => supervisor);

  say('start', 'compiling TypeScript (npm run build)');
  await run('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT });
  const dataDir = path.resolve(process.env.BANK_DATA_DIR ?? path.join(REPO_ROOT, '.data'));
  const stack = await startStack({
    base: RUN_PORT_BASE,
    appPorts: 'contract',
    dataDir,
    onSupervisor: (s) => (supervisor = s),
  });
  // A process that dies is started again (with backoff, and a line that says so), as Kubernetes
  // would: the apps ride out a restart of Redis, ImmuDB, the read model or a sidecar.
  stack.supervisor.restartCrashed();

  // The dashboard link carries an operator's token of the development issuer in its fragment
  // (never sent to a server; the page moves it into the tab's session storage). With a real
  // issuer configured, the page asks for a token instead.
  const dashboardToken = process.env.AUTH_JWKS_URL
    ? undefined
    : await mintToken(dataDir, { sub: 'operator', roles: ['teller', 'auditor'], ttlSeconds: 12 * 3600 });

  process.stdout.write(
    [
      '',
      'The core bank is running.',
      `  Command API: ${stack.urls.commandApi}/api/v1   (writes)`,
      `  Query API:   ${stack.urls.queryApi}/api/v1   (reads)`,
      `  Dashboard:   ${stack.urls.queryApi}/${dashboardToken ? `#token=${dashboardToken}` : ''}`,
      dashboardToken
        ? '               (signed in as "operator", roles teller and auditor, for 12 h)'
        : '               (sign in with a token of your issuer)',
      '  Every /api/v1 call needs a bearer token of the development issuer, for example:',
      `    T=$(${process.env.BANK_DATA_DIR ? `BANK_DATA_DIR=${dataDir} ` : ''}npm run --silent token -- --sub alice --role customer)   # roles: customer, teller, auditor, admin`,
      `    curl -H "authorization: Bearer $T" ${stack.urls.queryApi}/api/v1/accounts`,
      `  Logs:        ${path.join(dataDir, 'logs')}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  say('start', `FAILED: ${err instanceof FatalError ? err.message : (err.stack ?? err)}`);
  process.exit(1);
});
