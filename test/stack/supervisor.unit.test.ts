import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * Runs the launcher's supervisor in a child Node process (it is an ES module; this tier runs as
 * CommonJS) on a process that dies at once, and returns what the supervisor said on stderr.
 */
function supervise(script: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-supervisor-'));
  const url = path.join(ROOT, 'scripts/stack/supervisor.mjs');
  const program = `
    import { Supervisor } from ${JSON.stringify(url)};
    const supervisor = new Supervisor(${JSON.stringify(dir)});
    ${script}
  `;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', program], { timeout: 20_000 }, (err, _out, stderr) => {
      fs.rmSync(dir, { recursive: true, force: true });
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(stderr);
    });
  });
}

describe('the launcher supervisor', () => {
  it('restarts a process that dies, with growing backoff, and says so', async () => {
    const stderr = await supervise(`
      supervisor.restartCrashed({ initialMs: 100, maxMs: 400 });
      supervisor.start('flaky', process.execPath, ['-e', 'process.exit(3)']);
      await new Promise((r) => setTimeout(r, 1500));
      await supervisor.stopAll();
    `);
    const lines = stderr.split('\n').filter((l) => l.includes('flaky'));
    expect(lines[0]).toMatch(/flaky exited unexpectedly \(code 3\)/);
    const delays = lines.flatMap((l) => /restarting in ([\d.]+)s/.exec(l)?.[1] ?? []).map(Number);
    expect(delays.slice(0, 4)).toEqual([0.1, 0.2, 0.4, 0.4]);
    expect(lines.some((l) => /flaky: restarted \(pid \d+\)/.test(l))).toBe(true);
  });

  it('does not restart what it stops, nor what a crash test kills on purpose', async () => {
    const stderr = await supervise(`
      supervisor.restartCrashed({ initialMs: 100 });
      supervisor.start('steady', process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
      supervisor.start('victim', process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
      await supervisor.kill('victim');
      await new Promise((r) => setTimeout(r, 400));
      await supervisor.stopAll();
      await new Promise((r) => setTimeout(r, 400));
    `);
    expect(stderr).not.toMatch(/restarting/);
  });
});
