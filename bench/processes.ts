// The benchmark's child processes (bots, the echo bot, the proxy): started on a free port, watched for
// "listening" and a healthy /healthz, measured through /proc (CPU time, resident memory), and stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NODE_ARGS = ['--import', 'tsx', '--disable-warning=DEP0111'];
const CLOCK_TICKS = 100;

export interface Proc {
  name: string;
  /** http://127.0.0.1:PORT once it has said which port it listens on; '' before. */
  url: string;
  child: ChildProcess;
  spawnedAt: number;
  /** From spawning to the first healthy /healthz, ms (set by waitHealthy). */
  startMs: number;
  /** CPU time the process had used by then, ms: on a busy machine, steadier than startMs. */
  startCpuMs: number | undefined;
  /** From spawning to the line saying it listens, ms, if it printed one. */
  listenMs: number | undefined;
  /** The last lines the process wrote, for when it fails. */
  output: string[];
  warnings: number;
  /** The proxy's: requests it sent again on a new connection. */
  resent: number;
  exited: boolean;
}

/** Every process started and not yet exited: stopped at the end, on an error and on Ctrl-C. */
export const children = new Set<ChildProcess>();

// "listening on port 3978" (the bot's plain start-up line, the proxy's) or "listening on http://localhost:3979/..." (the echo bot's).
const LISTENING = /listening on (?:port |https?:\/\/[^/\s]+:)(\d+)/i;

/**
 * Starts `node --import tsx <script>` (or plain `node <script>`) from the project root with PORT=0, so the process picks a free port
 * itself (a port chosen here could be taken by another program before the child listens on it), and learns
 * the port from the line the process prints once it listens.
 */
export function startProcess(name: string, script: string, env: Record<string, string>, options: { plainNode?: boolean } = {}): Proc {
  const spawnedAt = performance.now();
  // plainNode: compiled JavaScript (npm run build's dist/), as production runs it; no TypeScript loader.
  const child = spawn(process.execPath, [...(options.plainNode ? ['--disable-warning=DEP0111'] : NODE_ARGS), script], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const proc: Proc = { name, url: '', child, spawnedAt, startMs: Number.NaN, startCpuMs: undefined, listenMs: undefined, output: [], warnings: 0, resent: 0, exited: false };
  const partial = { stdout: '', stderr: '' };
  const collect = (from: 'stdout' | 'stderr') => (chunk: Buffer) => {
    const lines = (partial[from] + chunk.toString('utf8')).split('\n');
    partial[from] = lines.pop()!;
    for (const line of lines) {
      if (!line.trim()) continue;
      const listening = LISTENING.exec(line);
      if (listening && !proc.url) {
        proc.url = `http://127.0.0.1:${listening[1]!}`;
        proc.listenMs = performance.now() - spawnedAt;
      }
      if (line.startsWith('proxy resent')) proc.resent++;
      // pino levels: 40 warn, 50 error, 60 fatal.
      if (/"level":(40|50|60)/.test(line) || /error/i.test(line)) proc.warnings++;
      proc.output.push(line.length > 400 ? `${line.slice(0, 400)}...` : line);
      if (proc.output.length > 20) proc.output.shift();
    }
  };
  child.stdout.on('data', collect('stdout'));
  child.stderr.on('data', collect('stderr'));
  child.on('exit', () => {
    proc.exited = true;
    children.delete(child);
  });
  return proc;
}

/** Polls /healthz until it answers 200; sets startMs; returns the health report. */
export async function waitHealthy(proc: Proc, timeoutMs = 180_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exited) throw new Error(`${proc.name} exited while starting:\n  ${proc.output.join('\n  ')}`);
    if (proc.url) {
      try {
        const res = await fetch(`${proc.url}/healthz`);
        if (res.ok) {
          proc.startMs = performance.now() - proc.spawnedAt;
          proc.startCpuMs = cpuMs(proc.child.pid);
          return (await res.json()) as Record<string, unknown>;
        }
      } catch {
        // not answering yet
      }
    }
    if (Date.now() > deadline) throw new Error(`${proc.name} was not healthy after ${timeoutMs / 1000} s:\n  ${proc.output.join('\n  ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

/** CPU time (user + system) a process has used so far, in ms; undefined where /proc is not available. */
export function cpuMs(pid: number | undefined): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the file (11 and 12 after the command name), in clock ticks.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** The machine's CPU time so far, busy and in all, in clock ticks (the first line of /proc/stat); undefined without /proc. */
export function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map((n) => Number(n));
    const busy = user! + nice! + system! + irq! + softirq! + (steal ?? 0);
    return { busy, total: busy + idle! + iowait! };
  } catch {
    return undefined;
  }
}

/** A process's resident memory now, in MB; undefined where /proc is not available. */
export function rssMb(pid: number | undefined): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}
