// `npm run reset`: wipes the local data of `npm start` (event log, read model, actor state).
import fs from 'node:fs';
import path from 'node:path';
import { RUN_PORT_BASE, portLayout } from './stack/ports.mjs';
import { REPO_ROOT } from './stack/stack.mjs';
import { tcpOpen } from './stack/supervisor.mjs';

const dataDir = path.resolve(process.env.BANK_DATA_DIR ?? path.join(REPO_ROOT, '.data'));
const layout = portLayout(RUN_PORT_BASE, 'contract');
if ((await tcpOpen(layout.immudb.port)) || (await tcpOpen(layout.redis.port))) {
  process.stderr.write('The system is running (its ports answer). Stop `npm start` first, then reset.\n');
  process.exit(1);
}
fs.rmSync(dataDir, { recursive: true, force: true });
process.stderr.write(`removed ${dataDir}\n`);
