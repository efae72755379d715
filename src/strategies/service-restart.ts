import { performance } from 'node:perf_hooks';
import type { StrategyCheck } from '../domain/action';
import { createPm2Client, type Pm2Client, Pm2Error, type Pm2ProcessInfo } from '../integrations/pm2-client';
import type { AppConfig } from '../config/schema';
import { type Strategy, StrategyFailure } from './strategy';

export interface ServiceRestartParams {
  /** Logical name, mapped to a PM2 process name through config `services`. */
  service: string;
}

export interface ServiceRestartOptions {
  /** Defaults to a client reading PM2_HOME from the environment at each restart. */
  pm2?: Pm2Client;
}

/** What one PM2 instance looked like at one reading. */
interface InstanceView {
  pmId: number;
  status: string;
  restarts: number;
  pid: number;
  startedAt: string | null;
}

/** Connecting, listing and reloading twice over, each bounded by the client's call timeout. */
const PM2_CALLS_MARGIN_MS = 30000;
const PM2_CALL_TIMEOUT_MS = 15000;

function view(p: Pm2ProcessInfo): InstanceView {
  return {
    pmId: p.pmId,
    status: p.status,
    restarts: p.restarts,
    pid: p.pid,
    startedAt: p.startedAt === null ? null : new Date(p.startedAt).toISOString(),
  };
}

/** One instance (the usual fork-mode case) is shown flat; several as a list. */
function shape(instances: InstanceView[]): Record<string, unknown> {
  if (instances.length === 1) {
    const { pmId: _pmId, ...rest } = instances[0]!;
    return rest;
  }
  return { instances };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

/** Waits the real stabilization period: it is a real process settling, an injected clock cannot speed it. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Why an instance does not count as restarted and healthy, or null when it does. */
function verdict(before: InstanceView | undefined, after: InstanceView): string | null {
  if (after.status !== 'online') {
    return before ? `status ${after.status} (restarts ${before.restarts} → ${after.restarts})` : `status ${after.status}`;
  }
  if (!before) return null; // a new instance (scaled up meanwhile) is online: good enough
  const restarted = after.restarts > before.restarts || after.startedAt !== before.startedAt;
  if (!restarted) return `restart count unchanged (${before.restarts}) and same start time`;
  // The reload itself adds one; more means PM2 had to bring it back again while we waited.
  if (after.restarts - before.restarts > 1) {
    return `restarted ${after.restarts - before.restarts - 1} more time(s) by PM2 during stabilization (crash loop)`;
  }
  return null;
}

/**
 * Restarts a service through PM2: graceful reload (a restart for fork-mode apps), wait for it to
 * settle, then require it online with a new restart count or start time. It never starts a PM2
 * daemon; a missing daemon is a failure like any other.
 */
export function createServiceRestartStrategy(deps: { config: Pick<AppConfig, 'pm2' | 'services'> }, options: ServiceRestartOptions = {}): Strategy {
  const { config } = deps;
  const pm2 = options.pm2 ?? createPm2Client({ callTimeoutMs: PM2_CALL_TIMEOUT_MS });
  const stabilizationMs = config.pm2.stabilizationMs;

  return {
    type: 'service_restart',
    requiresApprovalByDefault: true,
    timeoutMs: stabilizationMs + PM2_CALLS_MARGIN_MS,
    async execute({ params, signal, logger }) {
      const checks: StrategyCheck[] = [];
      const service = (params as Partial<ServiceRestartParams>).service;
      if (typeof service !== 'string' || service === '') {
        throw new StrategyFailure('params.service must name a service (a key of config "services")');
      }
      const known = Object.keys(config.services);
      const processName = Object.prototype.hasOwnProperty.call(config.services, service)
        ? config.services[service]
        : undefined;
      if (processName === undefined) {
        throw new StrategyFailure(
          `unknown service "${service}": config "services" knows ${known.length ? known.map((k) => `"${k}"`).join(', ') : 'none'}`,
          { service, knownServices: known },
        );
      }
      // PM2 sets pm_id and name in the environment of the processes it runs.
      if (process.env.pm_id !== undefined && process.env.name === processName) {
        throw new StrategyFailure(
          `refusing to restart "${processName}": it is this service's own PM2 process (the action could not be verified)`,
          { service, process: processName },
        );
      }
      const details: Record<string, unknown> = { service, process: processName, stabilizationMs };
      const fail = (reason: string): never => {
        throw new StrategyFailure(reason, details, checks);
      };
      const failFromPm2 = (err: unknown, step: string): never => {
        if (err instanceof Pm2Error) {
          if (err.code === 'daemon_not_running') return fail(err.message);
          if (err.code === 'daemon_unreachable') return fail(`connecting to the PM2 daemon failed: ${err.reason}`);
          if (err.code === 'aborted') return fail(`${step} aborted (the action ran out of time or the service is stopping)`);
          return fail(`${step} failed: ${err.reason}`);
        }
        throw err;
      };

      // Session 1: read, then reload. Released before waiting so other restarts can use PM2.
      let before: InstanceView[] = [];
      try {
        await pm2.withConnection(
          async (session) => {
            details.pm2Home = session.pm2Home;
            let started = performance.now();
            const list = await session.list();
            const mine = list.filter((p) => p.name === processName);
            if (mine.length === 0) {
              const names = [...new Set(list.map((p) => p.name))];
              checks.push({ name: 'process found', ok: false, detail: `no "${processName}" in PM2`, durationMs: elapsed(started) });
              fail(
                `PM2 process "${processName}" (service "${service}") not found; PM2 manages ${names.length ? names.map((n) => `"${n}"`).join(', ') : 'no processes'}`,
              );
            }
            before = mine.map(view);
            details.before = shape(before);
            checks.push({
              name: 'process found',
              ok: true,
              detail: before.map((b) => `#${b.pmId} ${b.status}, ${b.restarts} restarts, pid ${b.pid}`).join('; '),
              durationMs: elapsed(started),
            });

            started = performance.now();
            try {
              await session.reload(processName);
            } catch (err) {
              checks.push({ name: 'pm2 reload', ok: false, detail: (err as Error).message, durationMs: elapsed(started) });
              throw err;
            }
            checks.push({ name: 'pm2 reload', ok: true, detail: `reloaded "${processName}"`, durationMs: elapsed(started) });
          },
          { signal },
        );
      } catch (err) {
        if (err instanceof StrategyFailure) throw err;
        const step = checks.some((c) => c.name === 'pm2 reload') ? 'pm2 reload' : 'reading the PM2 process list';
        if (!checks.length) checks.push({ name: 'pm2 daemon', ok: false, detail: (err as Error).message });
        failFromPm2(err, step);
      }
      logger.info(`service_restart: reloaded ${processName}, waiting ${stabilizationMs} ms before verifying`, {
        service,
        process: processName,
      });

      const waitStarted = performance.now();
      const waited = await sleep(stabilizationMs, signal);
      checks.push({
        name: 'stabilization wait',
        ok: waited,
        detail: waited ? `${stabilizationMs} ms` : 'aborted',
        durationMs: elapsed(waitStarted),
      });
      if (!waited) fail('aborted during the stabilization wait (the action ran out of time or the service is stopping)');

      // Session 2: verify.
      let after: InstanceView[] = [];
      const verifyStarted = performance.now();
      try {
        after = await pm2.withConnection(
          async (session) => (await session.list()).filter((p) => p.name === processName).map(view),
          { signal },
        );
      } catch (err) {
        checks.push({ name: 'verify', ok: false, detail: (err as Error).message, durationMs: elapsed(verifyStarted) });
        failFromPm2(err, 'verification');
      }
      details.after = after.length ? shape(after) : null;
      if (after.length === 0) {
        checks.push({ name: 'verify', ok: false, detail: 'process gone', durationMs: elapsed(verifyStarted) });
        fail(`verification failed: PM2 process "${processName}" is gone after the reload`);
      }
      const problems = after
        .map((a) => {
          const why = verdict(
            before.find((b) => b.pmId === a.pmId),
            a,
          );
          return why && (after.length > 1 ? `#${a.pmId}: ${why}` : why);
        })
        .filter((p): p is string => p !== null);
      const b0 = before[0]!;
      const a0 = after[0]!;
      const transition =
        after.length === 1 && before.length === 1
          ? `${a0.status}, restarts ${b0.restarts} → ${a0.restarts}, pid ${b0.pid} → ${a0.pid}`
          : `${after.length} instances: ${after.map((a) => `#${a.pmId} ${a.status} (${a.restarts} restarts)`).join(', ')}`;
      checks.push({
        name: 'verify',
        ok: problems.length === 0,
        detail: problems.length ? problems.join('; ') : transition,
        durationMs: elapsed(verifyStarted),
      });
      if (problems.length) fail(`verification failed: ${problems.join('; ')}`);

      return {
        summary: `restarted service "${service}" (PM2 "${processName}"): ${transition}`,
        changed: true,
        details,
        checks,
      };
    },
  };
}
