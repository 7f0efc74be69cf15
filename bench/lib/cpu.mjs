// Where the CPU goes: CPU seconds of every process of the stack (and of the load generator)
// between two snapshots, read from /proc (Linux only; elsewhere the figures are left out).
import fs from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times: 100 on every Linux this runs on. */
const TICKS = 100;

/**
 * CPU seconds used so far by each process the supervisor started, with everything in its
 * process group (PostgreSQL serves each connection from a process of its own), and by this one.
 */
export function cpuSnapshot(supervisor) {
  const out = { 'load generator': process.cpuUsage() };
  const groups = processGroups();
  for (const entry of supervisor.children) {
    const seconds = groups.get(entry.child.pid);
    if (seconds !== undefined) out[entry.name] = seconds;
  }
  return out;
}

/**
 * CPU milliseconds per request of each process between two snapshots, biggest first, with the
 * total: what one request costs the machine, and who pays.
 */
export function cpuPerRequest(before, after, requests) {
  if (!requests) return null;
  const rows = [];
  for (const [name, end] of Object.entries(after)) {
    const start = before[name];
    if (start === undefined) continue;
    const seconds = name === 'load generator' ? (end.user + end.system - start.user - start.system) / 1e6 : end - start;
    rows.push({ process: name, msPerRequest: Math.round((seconds * 1000 * 100) / requests) / 100 });
  }
  rows.sort((a, b) => b.msPerRequest - a.msPerRequest);
  const total = Math.round(rows.reduce((s, r) => s + r.msPerRequest, 0) * 100) / 100;
  return { requests, totalMsPerRequest: total, processes: rows };
}

/** CPU seconds by process group: each member's own time plus its reaped children's. */
function processGroups() {
  const groups = new Map();
  let pids = [];
  try {
    pids = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return groups;
  }
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): state is field 3, pgrp 5,
      // utime 14, stime 15, cutime 16, cstime 17.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pgrp = Number(f[2]);
      const seconds = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS;
      groups.set(pgrp, (groups.get(pgrp) ?? 0) + seconds);
    } catch {
      /* the process ended meanwhile */
    }
  }
  return groups;
}
