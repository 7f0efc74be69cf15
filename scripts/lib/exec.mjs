import { spawn } from 'node:child_process';

/**
 * Runs a command to completion; rejects with its captured output tail on failure.
 * @returns {Promise<string>} its stdout and stderr, interleaved
 */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    const keep = (chunk) => {
      out += chunk;
      if (out.length > 200_000) out = out.slice(-100_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(out);
      else {
        const tail = out.trim().split('\n').slice(-25).join('\n');
        /** @type {Error & { output?: string }} */
        const err = new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${tail}`);
        err.output = out; // all of it (up to the last 100-200 kB), for callers that look for a line
        reject(err);
      }
    });
  });
}

/** Like run, but resolves to undefined instead of rejecting (for probes). */
export async function probe(cmd, args, opts = {}) {
  try {
    return await run(cmd, args, { timeout: 15_000, ...opts });
  } catch {
    return undefined;
  }
}
