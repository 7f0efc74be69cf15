// `npm test`: every check CI runs, in order — infrastructure, build, static checks, then the
// unit, integration and end-to-end tiers — ending with one line "N passed, N failed".
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureChromium, ensureInfra } from './infra/install.mjs';
import { FatalError, say } from './lib/log.mjs';
import { REPO_ROOT } from './stack/stack.mjs';

const TIERS = ['unit', 'int', 'e2e', 'k8s'];

function sh(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, stdio: 'inherit' });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

async function main() {
  const only = process.argv.slice(2).filter((a) => TIERS.includes(a));
  const tiers = only.length > 0 ? only : TIERS;
  await ensureInfra();
  // The dashboard's browser tests run in the e2e tier (the jest workers inherit this).
  if (tiers.includes('e2e')) process.env.BANK_CHROMIUM = await ensureChromium();
  for (const step of ['build', 'check']) {
    say('test', `npm run ${step}`);
    if ((await sh('npm', ['run', '--silent', step])) !== 0) throw new FatalError(`npm run ${step} failed`);
  }
  let passed = 0;
  let failed = 0;
  let broken = false;
  for (const tier of tiers) {
    say('test', `${tier} tests`);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bank-jest-')), 'result.json');
    const code = await sh('npx', ['jest', '-c', `jest.${tier}.config.js`, '--ci', '--json', `--outputFile=${out}`]);
    try {
      const result = JSON.parse(fs.readFileSync(out, 'utf8'));
      passed += result.numPassedTests;
      failed += result.numFailedTests;
      if (code !== 0 && result.numFailedTests === 0) broken = true; // e.g. a setup failure
    } catch {
      broken = true;
    }
    if (code !== 0) broken = true;
  }
  process.stdout.write(`\ntests: ${passed} passed, ${failed} failed\n`);
  process.exit(broken || failed > 0 ? 1 : 0);
}

main().catch((err) => {
  say('test', `FAILED: ${err instanceof FatalError ? err.message : (err.stack ?? err)}`);
  process.exit(1);
});
