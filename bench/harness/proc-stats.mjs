import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let ticksPerSecond;
function clockTicks() {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/**
 * CPU time (user + system) a process has used, in microseconds, read from /proc/<pid>/stat
 * by the parent, so the measurement costs the measured server nothing.
 */
export function processCpuMicros(pid) {
  const { user, system } = processCpuSplit(pid);
  return user + system;
}

/** User and system (kernel) CPU time of a process, in microseconds. */
export function processCpuSplit(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; fields after its closing ')' are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const toMicros = (ticks) => (Number(ticks) * 1e6) / clockTicks();
  return { user: toMicros(fields[11]), system: toMicros(fields[12]) };
}
