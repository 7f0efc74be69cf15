// Starts child processes in their own process groups, logs each to a file, and stops
// every one it started (SIGTERM, then SIGKILL), so nothing is left running. With
// `restartCrashed()`, a process that dies is started again with backoff, as Kubernetes would.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { say } from '../lib/log.mjs';

/**
 * @typedef {{ env?: Record<string, string>, cwd?: string, user?: { uid: number, gid: number } }} StartOptions
 * @typedef {{ cmd: string, args: string[] } & StartOptions} ProcessSpec
 * @typedef {{ name: string, child: import('node:child_process').ChildProcess, logFile: string,
 *   exited: boolean, spec: ProcessSpec, startedAt: number, expectedExit?: boolean,
 *   restarts?: number }} ProcessEntry
 *   One started process: `restarts` counts the restarts in a row that led to it.
 */

export class Supervisor {
  /** @param {string} logDir */
  constructor(logDir) {
    this.logDir = logDir;
    /** @type {ProcessEntry[]} */
    this.children = [];
    this.stopping = false;
    /** @type {(entry: ProcessEntry) => void} */
    this.onCrash = () => {};
    /** @type {Set<NodeJS.Timeout>} */
    this.pendingRestarts = new Set();
    fs.mkdirSync(logDir, { recursive: true });
  }

  /**
   * `user` ({ uid, gid }) runs the process as another user (a server that refuses root).
   * @param {string} name
   * @param {string} cmd
   * @param {string[]} args
   * @param {StartOptions} [opts]
   * @returns {ProcessEntry}
   */
  start(name, cmd, args, { env = {}, cwd, user } = {}) {
    if (this.stopping) throw new Error(`not starting ${name}: the stack is stopping`);
    const spec = { cmd, args, env, cwd, user };
    const logFile = path.join(this.logDir, `${name}.log`);
    const log = fs.openSync(logFile, 'a');
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', log, log],
      detached: true, // own process group: we can signal it and everything it spawned
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    fs.closeSync(log);
    /** @type {ProcessEntry} */
    const entry = { name, child, logFile, exited: false, spec, startedAt: Date.now() };
    child.on('exit', (code, signal) => {
      entry.exited = true;
      if (!this.stopping && !entry.expectedExit) {
        say('stack', `${name} exited unexpectedly (${signal ?? `code ${code}`}); log: ${logFile}`);
        this.onCrash(entry);
      }
    });
    child.on('error', (err) => say('stack', `${name} failed to start: ${err.message}`));
    this.children.push(entry);
    return entry;
  }

  /** kill -9 of a named process and its group, as a crash would (for crash tests). */
  async kill(name) {
    const entry = this.find(name);
    entry.expectedExit = true;
    const gone = entry.exited ? Promise.resolve() : new Promise((resolve) => entry.child.once('exit', resolve));
    signalGroup(entry.child.pid, 'SIGKILL');
    await gone;
  }

  /** Starts a killed process again with the same command, arguments and environment. */
  restart(name) {
    const entry = this.find(name);
    if (!entry.exited) throw new Error(`${name} is still running`);
    this.children = this.children.filter((c) => c !== entry);
    const { cmd, args, env, cwd, user } = entry.spec;
    return this.start(name, cmd, args, { env, cwd, user });
  }

  /**
   * From now on, a process that exits unexpectedly is started again with the same command:
   * after 1 s, then 2, 4, ... up to `maxMs` while it keeps dying; a process that ran for
   * `healthyAfterMs` starts over at 1 s. Each restart is said on stderr. Stopping the stack
   * cancels pending restarts.
   */
  restartCrashed({ initialMs = 1000, maxMs = 30_000, healthyAfterMs = 60_000 } = {}) {
    this.onCrash = (entry) => {
      const ranMs = Date.now() - entry.startedAt;
      const attempt = ranMs >= healthyAfterMs ? 1 : (entry.restarts ?? 0) + 1;
      const delayMs = Math.min(maxMs, initialMs * 2 ** (attempt - 1));
      say('stack', `${entry.name}: restarting in ${delayMs / 1000}s (restart ${attempt} in a row)`);
      const timer = setTimeout(() => {
        this.pendingRestarts.delete(timer);
        if (this.stopping) return;
        try {
          const next = this.restart(entry.name);
          next.restarts = attempt;
          say('stack', `${entry.name}: restarted (pid ${next.child.pid})`);
        } catch (err) {
          say('stack', `${entry.name}: could not restart: ${err instanceof Error ? err.message : String(err)}`);
        }
      }, delayMs);
      this.pendingRestarts.add(timer);
    };
  }

  find(name) {
    const entry = this.children.find((c) => c.name === name);
    if (!entry) throw new Error(`no process named ${name}`);
    return entry;
  }

  /** Stops children in reverse start order: apps before their sidecars before infrastructure. */
  async stopAll(graceMs = 8000) {
    this.stopping = true;
    for (const timer of this.pendingRestarts) clearTimeout(timer);
    this.pendingRestarts.clear();
    for (const entry of [...this.children].reverse()) await stopOne(entry, graceMs);
    this.children = [];
  }
}

async function stopOne(entry, graceMs) {
  if (entry.exited || entry.child.pid === undefined) return;
  const gone = new Promise((resolve) => entry.child.once('exit', resolve));
  signalGroup(entry.child.pid, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(entry.child.pid, 'SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
  signalGroup(entry.child.pid, 'SIGKILL'); // anything the child left behind in its group
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/**
 * Resolves when `check` resolves truthy; rejects after `timeoutMs` with the log tail. With
 * `entry`, fails as soon as that process exits.
 * @param {string} label
 * @param {() => Promise<unknown>} check
 * @param {{ timeoutMs?: number, entry?: ProcessEntry }} [opts]
 */
export async function waitFor(label, check, { timeoutMs = 60_000, entry } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (entry?.exited)
      throw new Error(`${label} exited during start-up; log: ${entry.logFile}\n${tail(entry.logFile)}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${label} not ready after ${timeoutMs / 1000}s${entry ? `; log: ${entry.logFile}\n${tail(entry.logFile)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function tcpOpen(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.setTimeout(1000, () => (socket.destroy(), resolve(false)));
  });
}

export async function httpOk(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return res.status >= 200 && res.status < 300;
}

export function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Fails fast with a clear message when a port of the block is taken by something else. */
export async function assertPortsFree(ports) {
  const busy = [];
  for (const p of ports) if (await tcpOpen(p)) busy.push(p);
  if (busy.length > 0) {
    throw new Error(
      `ports already in use: ${busy.join(', ')}. Is another copy running? Set BANK_PORT_BASE (or BANK_TEST_PORT_BASE) to use another block.`,
    );
  }
}

/**
 * Makes Ctrl-C, SIGTERM and SIGHUP stop every process of the supervisor `current()` returns (if
 * any yet: set these handlers before starting anything, so an interrupt at any moment during
 * start-up stops what was started), then exit.
 */
export function stopOnSignals(scope, current) {
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    const supervisor = current();
    if (supervisor) {
      say(scope, 'stopping every process ...');
      await supervisor.stopAll();
    }
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, shutdown);
}
