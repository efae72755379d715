import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** One PM2-managed process as read from the daemon's process list. */
export interface Pm2ProcessInfo {
  pmId: number;
  name: string;
  /** 0 when PM2 has no live OS process for it (stopped, errored). */
  pid: number;
  status: string;
  restarts: number;
  /** When PM2 last (re)started it (pm_uptime), epoch milliseconds; null if never. */
  startedAt: number | null;
  execMode: string;
}

export type Pm2ErrorCode = 'daemon_not_running' | 'daemon_unreachable' | 'timeout' | 'aborted' | 'call_failed';

/** A PM2 call that did not work; the message is the reason an operator reads. */
export class Pm2Error extends Error {
  /** The reason without the call's label, for callers that name the step themselves. */
  readonly reason: string;

  constructor(
    message: string,
    readonly code: Pm2ErrorCode,
    reason?: string,
  ) {
    super(message);
    this.name = 'Pm2Error';
    this.reason = reason ?? message;
  }
}

/** What may be done while connected; only valid inside `withConnection`. */
export interface Pm2Session {
  readonly pm2Home: string;
  list(): Promise<Pm2ProcessInfo[]>;
  /** Graceful reload of every instance of the named app (PM2 restarts fork-mode apps). */
  reload(processName: string): Promise<void>;
}

export interface Pm2Client {
  /**
   * Connects to the running daemon (never starts one), runs `work`, and always disconnects.
   * Sessions run one at a time: the pm2 module keeps process-wide state (see below).
   */
  withConnection<T>(work: (session: Pm2Session) => Promise<T>, options?: { signal?: AbortSignal }): Promise<T>;
}

export interface Pm2ClientOptions {
  /** Read on every connection, so PM2_HOME set after start-up (tests) is honoured. */
  env?: NodeJS.ProcessEnv;
  /** Upper bound for connecting and for each call to the daemon. */
  callTimeoutMs?: number;
}

/** The slice of pm2's API class (lib/API.js) used here; pm2's bundled types do not describe it. */
interface Pm2Api {
  Client: { launchDaemon: (...args: unknown[]) => unknown };
  connect(cb: (err: unknown) => void): void;
  disconnect(cb: (err: unknown) => void): void;
  list(cb: (err: unknown, list: RawProcess[]) => void): void;
  reload(name: string, cb: (err: unknown) => void): void;
}
type Pm2ApiClass = new (opts: { pm2_home: string; daemon_mode: boolean }) => Pm2Api;

interface RawProcess {
  pm_id?: number;
  name?: string;
  pid?: number;
  pm2_env?: { status?: string; restart_time?: number; pm_uptime?: number; exec_mode?: string; name?: string };
}

/** PM2's own resolution (pm2/paths.js), minus the Windows fallbacks. */
export function resolvePm2Home(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PM2_HOME) return path.resolve(env.PM2_HOME);
  return path.join(env.HOME || os.homedir(), '.pm2');
}

/**
 * Is a daemon listening on PM2_HOME/rpc.sock? Done with a bare socket instead of pm2's own ping,
 * because that ping exits the whole process on EACCES and creates files in PM2_HOME first.
 */
export function probeDaemon(pm2Home: string, timeoutMs = 2000): Promise<{ running: boolean; reason: string }> {
  const socketPath = path.join(pm2Home, 'rpc.sock');
  return new Promise((resolve) => {
    const socket = net.connect({ path: socketPath });
    const done = (result: { running: boolean; reason: string }) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => done({ running: false, reason: `no answer on ${socketPath} within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once('connect', () => done({ running: true, reason: `listening on ${socketPath}` }));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') done({ running: false, reason: `no ${socketPath}` });
      else if (err.code === 'ECONNREFUSED') done({ running: false, reason: `stale ${socketPath}, nothing listening` });
      else done({ running: false, reason: `cannot reach ${socketPath}: ${err.code ?? err.message}` });
    });
  });
}

function toProcessInfo(raw: RawProcess): Pm2ProcessInfo {
  const env = raw.pm2_env ?? {};
  return {
    pmId: raw.pm_id ?? -1,
    name: raw.name ?? env.name ?? '',
    pid: raw.pid ?? 0,
    status: env.status ?? 'unknown',
    restarts: env.restart_time ?? 0,
    startedAt: typeof env.pm_uptime === 'number' ? env.pm_uptime : null,
    execMode: env.exec_mode ?? 'unknown',
  };
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  return JSON.stringify(err);
}

/** Runs a callback-style pm2 call with a deadline and the caller's abort signal. */
function call<T>(
  label: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  start: (cb: (err: unknown, value?: T) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Pm2Error(`${label}: aborted`, 'aborted', 'aborted'));
      return;
    }
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const fail = (code: Pm2ErrorCode, reason: string) =>
      finish(() => reject(new Pm2Error(`${label}: ${reason}`, code, reason)));
    const onAbort = () => fail('aborted', 'aborted');
    const timer = setTimeout(() => fail('timeout', `no answer from the PM2 daemon within ${timeoutMs} ms`), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      start((err, value) => (err ? fail('call_failed', messageOf(err)) : finish(() => resolve(value as T))));
    } catch (err) {
      fail('call_failed', messageOf(err));
    }
  });
}

/** Names pm2.reload would read as "all", an id or a regex instead of an app name. */
function isAmbiguousName(name: string): boolean {
  return name === 'all' || name.trim() === '' || !Number.isNaN(Number(name)) || /^\/.*\/$/.test(name);
}

/**
 * A promise wrapper over pm2's programmatic API that can only talk to a daemon that is already
 * running. Each connection gets its own `new pm2.custom({ pm2_home })` with PM2_HOME read at call
 * time; the pm2 module is required lazily so the service starts without it when nothing restarts.
 *
 * Why sessions are serialized: pm2's API constructor copies pm2_home into the module's shared
 * constants object, and reload keeps a lock file there, so two overlapping sessions in one process
 * would step on each other. The queue is per client; the composition root builds one.
 */
export function createPm2Client(options: Pm2ClientOptions = {}): Pm2Client {
  const callTimeoutMs = options.callTimeoutMs ?? 15000;
  let tail: Promise<unknown> = Promise.resolve();

  async function session<T>(work: (s: Pm2Session) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    if (signal?.aborted) throw new Pm2Error('aborted before connecting to PM2', 'aborted');
    const pm2Home = resolvePm2Home(options.env ?? process.env);
    const probe = await probeDaemon(pm2Home, Math.min(callTimeoutMs, 2000));
    if (!probe.running) {
      throw new Pm2Error(`PM2 daemon not running (PM2_HOME=${pm2Home}: ${probe.reason})`, 'daemon_not_running');
    }

    const pm2Module = require('pm2') as { custom: Pm2ApiClass };
    const api = new pm2Module.custom({ pm2_home: pm2Home, daemon_mode: true });
    // connect() and every call fall back to spawning a daemon when the socket is gone (the daemon
    // died after the probe); this instance must fail instead.
    api.Client.launchDaemon = (...args: unknown[]) => {
      const cb = args.find((a): a is (err: Error) => void => typeof a === 'function');
      cb?.(new Error(`PM2 daemon not running (PM2_HOME=${pm2Home}: it went away while connecting)`));
    };

    let connected = false;
    try {
      await call<void>('connect to PM2', callTimeoutMs, signal, (cb) => api.connect((err) => cb(err)));
      connected = true;
      return await work({
        pm2Home,
        async list() {
          const raw = await call<RawProcess[]>('pm2 list', callTimeoutMs, signal, (cb) => api.list(cb));
          return (raw ?? []).map(toProcessInfo);
        },
        async reload(processName: string) {
          if (isAmbiguousName(processName)) {
            const reason = `"${processName}" would not be read as one app name (all, an id or a regex)`;
            throw new Pm2Error(`pm2 reload: ${reason}`, 'call_failed', reason);
          }
          await call<void>(`pm2 reload ${processName}`, callTimeoutMs, signal, (cb) => api.reload(processName, cb));
        },
      });
    } catch (err) {
      if (err instanceof Pm2Error) {
        if (err.code === 'call_failed' && err.reason.startsWith('PM2 daemon not running')) {
          throw new Pm2Error(err.reason, 'daemon_not_running');
        }
        if (!connected && (err.code === 'call_failed' || err.code === 'timeout')) {
          throw new Pm2Error(err.message, 'daemon_unreachable', err.reason);
        }
      }
      throw err;
    } finally {
      // Always release the sockets, even after a timeout, so the process can exit and the daemon
      // does not keep a dead client; a failing disconnect is not the caller's problem.
      await call<void>('disconnect from PM2', 5000, undefined, (cb) => api.disconnect(() => cb(null))).catch(
        () => undefined,
      );
    }
  }

  return {
    withConnection(work, opts = {}) {
      const run = tail.then(() => session(work, opts.signal));
      tail = run.catch(() => undefined);
      return run;
    },
  };
}
