// `npm run reset`: wipes the local data of `npm start` (event log, read model, actor state).
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './stack/stack.mjs';

const dataDir = path.resolve(process.env.BANK_DATA_DIR ?? path.join(REPO_ROOT, '.data'));
fs.rmSync(dataDir, { recursive: true, force: true });
process.stderr.write(`removed ${dataDir}\n`);
