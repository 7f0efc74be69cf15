import fs from 'node:fs/promises';
import { say } from '../lib/log.mjs';

/** A cross-process lock on a directory name; a lock left by a dead process is taken over. */
export async function withLock(lockDir, work) {
  let announced = false;
  for (;;) {
    try {
      await fs.mkdir(lockDir);
      await fs.writeFile(`${lockDir}/pid`, String(process.pid));
      break;
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EEXIST') throw err;
      const owner = Number(await fs.readFile(`${lockDir}/pid`, 'utf8').catch(() => '0'));
      const age = Date.now() - (await fs.stat(lockDir).catch(() => ({ mtimeMs: 0 }))).mtimeMs;
      if (owner ? !alive(owner) : age > 10_000) {
        await fs.rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!announced) say('infra', `waiting for another install (pid ${owner || '?'}) to finish`);
      announced = true;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  try {
    return await work();
  } finally {
    await fs.rm(lockDir, { recursive: true, force: true });
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return /** @type {NodeJS.ErrnoException} */ (err).code === 'EPERM';
  }
}
