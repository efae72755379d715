import { ACTION_SPECS } from './action-specs';
import { performance } from 'node:perf_hooks';
import type { StrategyCheck } from '../domain/action';
import { createPm2Client, type Pm2Client, Pm2Error, type Pm2ProcessInfo, type Pm2Session } from '../integrations/pm2-client';
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

/** The PM2 process a service name stands for, or a StrategyFailure saying why there is none to restart. */
function processFor(params: Record<string, unknown>, services: Record<string, string>): { service: string; processName: string } {
  const service = (params as Partial<ServiceRestartParams>).service;
  if (typeof service !== 'string' || service === '') {
    throw new StrategyFailure('params.service must name a service (a key of config "services")');
  }
  const known = Object.keys(services);
  const processName = Object.prototype.hasOwnProperty.call(services, service) ? services[service] : undefined;
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
  return { service, processName };
}

/**
 * The record of one restart: the checks made so far and the details reported with the outcome.
 * Every step adds to it, and any step can end the restart with a failure that carries all of it.
 */
class RestartRecord {
  readonly checks: StrategyCheck[] = [];
  readonly details: Record<string, unknown>;

  constructor(
    readonly service: string,
    readonly processName: string,
    stabilizationMs: number,
  ) {
    this.details = { service, process: processName, stabilizationMs };
  }

  check(check: StrategyCheck): void {
    this.checks.push(check);
  }

  fail(reason: string): never {
    throw new StrategyFailure(reason, this.details, this.checks);
  }

  /** A PM2 error as a failure of `step`; anything else is not ours to explain and goes on up. */
  failFromPm2(err: unknown, step: string): never {
    if (err instanceof Pm2Error) {
      if (err.code === 'daemon_not_running') return this.fail(err.message);
      if (err.code === 'daemon_unreachable') return this.fail(`connecting to the PM2 daemon failed: ${err.reason}`);
      if (err.code === 'aborted') return this.fail(`${step} aborted (the action ran out of time or the service is stopping)`);
      return this.fail(`${step} failed: ${err.reason}`);
    }
    throw err;
  }
}

/** Step 1, in the first PM2 session: find the process's instances as they are now. */
async function findInstances(session: Pm2Session, record: RestartRecord): Promise<InstanceView[]> {
  const started = performance.now();
  const list = await session.list();
  const mine = list.filter((p) => p.name === record.processName);
  if (mine.length === 0) {
    const names = [...new Set(list.map((p) => p.name))];
    record.check({ name: 'process found', ok: false, detail: `no "${record.processName}" in PM2`, durationMs: elapsed(started) });
    record.fail(
      `PM2 process "${record.processName}" (service "${record.service}") not found; PM2 manages ${names.length ? names.map((n) => `"${n}"`).join(', ') : 'no processes'}`,
    );
  }
  const before = mine.map(view);
  record.details.before = shape(before);
  record.check({
    name: 'process found',
    ok: true,
    detail: before.map((b) => `#${b.pmId} ${b.status}, ${b.restarts} restarts, pid ${b.pid}`).join('; '),
    durationMs: elapsed(started),
  });
  return before;
}

/** Step 2, in the same session: the graceful reload (a restart for fork-mode apps). */
async function reload(session: Pm2Session, record: RestartRecord): Promise<void> {
  const started = performance.now();
  try {
    await session.reload(record.processName);
  } catch (err) {
    record.check({ name: 'pm2 reload', ok: false, detail: (err as Error).message, durationMs: elapsed(started) });
    throw err;
  }
  record.check({ name: 'pm2 reload', ok: true, detail: `reloaded "${record.processName}"`, durationMs: elapsed(started) });
}

/** Steps 1 and 2 in one PM2 session, released before the wait so other restarts can use PM2. */
async function findAndReload(pm2: Pm2Client, record: RestartRecord, signal: AbortSignal): Promise<InstanceView[]> {
  try {
    return await pm2.withConnection(
      async (session) => {
        record.details.pm2Home = session.pm2Home;
        const before = await findInstances(session, record);
        await reload(session, record);
        return before;
      },
      { signal },
    );
  } catch (err) {
    if (err instanceof StrategyFailure) throw err;
    const step = record.checks.some((c) => c.name === 'pm2 reload') ? 'pm2 reload' : 'reading the PM2 process list';
    if (!record.checks.length) record.check({ name: 'pm2 daemon', ok: false, detail: (err as Error).message });
    return record.failFromPm2(err, step);
  }
}

/** Step 3: let the process settle for the configured time, unless the action is aborted first. */
async function waitToSettle(stabilizationMs: number, record: RestartRecord, signal: AbortSignal): Promise<void> {
  const started = performance.now();
  const waited = await sleep(stabilizationMs, signal);
  record.check({ name: 'stabilization wait', ok: waited, detail: waited ? `${stabilizationMs} ms` : 'aborted', durationMs: elapsed(started) });
  if (!waited) record.fail('aborted during the stabilization wait (the action ran out of time or the service is stopping)');
}

/**
 * Step 4, in a second PM2 session: every instance must be online with a new restart count or start
 * time, and not restarted again by PM2 meanwhile. Returns the transition to report.
 */
async function verify(pm2: Pm2Client, before: InstanceView[], record: RestartRecord, signal: AbortSignal): Promise<string> {
  const started = performance.now();
  let after: InstanceView[] = [];
  try {
    after = await pm2.withConnection(
      async (session) => (await session.list()).filter((p) => p.name === record.processName).map(view),
      { signal },
    );
  } catch (err) {
    record.check({ name: 'verify', ok: false, detail: (err as Error).message, durationMs: elapsed(started) });
    record.failFromPm2(err, 'verification');
  }
  record.details.after = after.length ? shape(after) : null;
  if (after.length === 0) {
    record.check({ name: 'verify', ok: false, detail: 'process gone', durationMs: elapsed(started) });
    record.fail(`verification failed: PM2 process "${record.processName}" is gone after the reload`);
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
  const transition = describeTransition(before, after);
  record.check({ name: 'verify', ok: problems.length === 0, detail: problems.length ? problems.join('; ') : transition, durationMs: elapsed(started) });
  if (problems.length) record.fail(`verification failed: ${problems.join('; ')}`);
  return transition;
}

function describeTransition(before: InstanceView[], after: InstanceView[]): string {
  const b0 = before[0]!;
  const a0 = after[0]!;
  return after.length === 1 && before.length === 1
    ? `${a0.status}, restarts ${b0.restarts} → ${a0.restarts}, pid ${b0.pid} → ${a0.pid}`
    : `${after.length} instances: ${after.map((a) => `#${a.pmId} ${a.status} (${a.restarts} restarts)`).join(', ')}`;
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
    requiresApprovalByDefault: ACTION_SPECS.service_restart.approvalByDefault,
    timeoutMs: stabilizationMs + PM2_CALLS_MARGIN_MS,
    // A restart cannot be undone: no inverse, an ineffective one is escalated.
    targetOf: (params) => ACTION_SPECS.service_restart.targetOf(params as Record<string, unknown>),
    async execute({ params, signal, logger, step }) {
      const { service, processName } = processFor(params, config.services);
      const record = new RestartRecord(service, processName, stabilizationMs);
      await step?.('pm2 reload', 'before');
      const before = await findAndReload(pm2, record, signal);
      await step?.('pm2 reload', 'after');
      logger.info(`service_restart: reloaded ${processName}, waiting ${stabilizationMs} ms before verifying`, {
        service,
        process: processName,
      });
      await waitToSettle(stabilizationMs, record, signal);
      const transition = await verify(pm2, before, record, signal);
      return {
        summary: `restarted service "${service}" (PM2 "${processName}"): ${transition}`,
        changed: true,
        details: record.details,
        checks: record.checks,
      };
    },
  };
}
