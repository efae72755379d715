import { Writable } from 'node:stream';
import winston from 'winston';
import { ManualClock } from '../../src/clock';
import { resolveInstanceId } from '../../src/cluster/instance-id';
import { Lease } from '../../src/cluster/lease';
import { loadConfig } from '../../src/config/load-config';
import { ConfigError } from '../../src/errors';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';

const TTL = 15_000;

function recordingLogger(lines: string[]): winston.Logger {
  const stream = new Writable({
    write(chunk: Buffer, _enc: string, done: () => void) {
      lines.push(chunk.toString('utf8').trim());
      done();
    },
  });
  return winston.createLogger({ format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
}

describe('Lease', () => {
  let store: SqliteStore;
  let clock: ManualClock;
  let lines: string[];
  let a: Lease;
  let b: Lease;

  beforeEach(async () => {
    store = new SqliteStore({ path: ':memory:' });
    await store.init();
    clock = new ManualClock('2026-03-01T10:00:00Z');
    lines = [];
    const deps = { store, clock, logger: recordingLogger(lines) };
    a = new Lease(deps, 'periodic-work', 'a', TTL);
    b = new Lease(deps, 'periodic-work', 'b', TTL);
  });
  afterEach(() => store.close());

  it('has one holder at a time; the other takes it once it expires', async () => {
    expect(await a.tryHold()).toBe('held');
    expect(await b.tryHold()).toBe('held_by_other');
    clock.advance(TTL - 1);
    expect(await a.tryHold()).toBe('held'); // renewed: runs another TTL from now
    clock.advance(TTL - 1);
    expect(await b.tryHold()).toBe('held_by_other');
    expect(a.isHeld()).toBe(true);
    clock.advance(1);
    expect(a.isHeld()).toBe(false);
    expect(await b.tryHold()).toBe('held');
    expect(await a.tryHold()).toBe('held_by_other');
  });

  it('is handed over at once by a release', async () => {
    await a.tryHold();
    expect(await a.release()).toBe(true);
    expect(a.isHeld()).toBe(false);
    expect(await b.tryHold()).toBe('held');
    expect(await a.release()).toBe(false);
  });

  it('joins a renewal already in flight instead of racing it', async () => {
    const [first, second] = [a.tryHold(), a.tryHold()];
    expect(first).toBe(second);
    expect(await first).toBe('held');
  });

  it('stays held until its last expiry when the store stops answering, and says so once', async () => {
    await a.tryHold();
    await store.close();
    expect(await a.tryHold()).toBe('store_unreachable');
    expect(await a.tryHold()).toBe('store_unreachable');
    expect(a.isHeld()).toBe(true);
    clock.advance(TTL);
    expect(a.isHeld()).toBe(false);
    expect(lines.filter((l) => l.includes('cannot renew lease periodic-work'))).toHaveLength(1);
    await store.init();
    expect(await a.tryHold()).toBe('held');
    expect(lines.some((l) => l.includes('the store answers again'))).toBe(true);
  });
});

describe('cluster configuration', () => {
  it('names an instance <hostname>:<pid> unless configured', () => {
    expect(resolveInstanceId('', 'web-1', 4242)).toBe('web-1:4242');
    expect(resolveInstanceId(' engine-a ', 'web-1', 4242)).toBe('engine-a');
  });

  it('reads lease timings and the approval sweep interval from the environment', () => {
    const config = loadConfig({
      env: { INSTANCE_ID: 'x', LEASE_TTL_MS: '2000', LEASE_RENEW_MS: '500', APPROVAL_SWEEP_INTERVAL_MS: '250' },
    });
    expect(config.cluster).toEqual({ instanceId: 'x', leaseTtlMs: 2000, leaseRenewMs: 500 });
    expect(config.approvals.sweepIntervalMs).toBe(250);
  });

  it('refuses a renewal interval longer than half the lease, naming the variable', () => {
    expect(() => loadConfig({ env: { LEASE_TTL_MS: '1000', LEASE_RENEW_MS: '600' } })).toThrow(
      new ConfigError('cluster.leaseRenewMs (from LEASE_RENEW_MS=600)', 'must be at most half of cluster.leaseTtlMs (1000)'),
    );
  });
});
