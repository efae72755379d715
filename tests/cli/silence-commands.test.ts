import { silenceRequest } from '../../src/cli/silence-commands';
import { API_KEYS, KEYS } from '../helpers/api-keys';
import { serveForCli, type CliService } from '../helpers/cli-in-process';
import type { TestApp } from '../helpers/test-app';

/** `self-healing silence add|list|expire` against a running service (in-process: the same run() the binary calls). */
describe('self-healing silence', () => {
  let t: TestApp;
  let url: string;
  let service: CliService;

  beforeAll(async () => {
    service = await serveForCli({ config: { auth: { apiKeys: API_KEYS } } });
    ({ t, url } = service);
  });

  afterAll(async () => {
    await service.stop();
  });

  const cli = (args: string[], key: string = KEYS.operator) => service.cli(args, key);

  it('adds a recurring silence, lists it, expires it, and lists it again only with --all', async () => {
    const endsAt = new Date(t.clock.now().getTime() + 7 * 86_400_000).toISOString();
    const added = await cli(['silence', 'add', '--target', 'router', '--rule', '~slow-.*', '--ends-at', endsAt, '--comment', 'host upgrades', '--weekdays', 'mon-fri', '--between', '22:00-06:00', '--tz', 'Europe/Berlin', '--json']);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const silence = JSON.parse(added.stdout);
    expect(silence).toMatchObject({
      matchers: { target: 'router', rule: { regex: 'slow-.*' } },
      endsAt,
      createdBy: 'op',
      schedule: { timeZone: 'Europe/Berlin', weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'], times: { start: '22:00', end: '06:00' } },
    });

    const listed = await cli(['silence', 'list'], KEYS.viewer);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${silence.id}\\s+active\\s+no\\s+rule=~slow-\\.\\* target=router`));
    expect(listed.stdout).toContain('mon,tue,wed,thu,fri 22:00-06:00 Europe/Berlin');

    const expired = await cli(['silence', 'expire', silence.id]);
    expect(expired.code).toBe(0);
    expect(expired.stdout).toBe(`silence ${silence.id} expired by op at ${t.clock.now().toISOString()}`);
    expect((await cli(['silence', 'list'], KEYS.viewer)).stdout).toBe('no silences');
    expect((await cli(['silence', 'list', '--all'], KEYS.viewer)).stdout).toMatch(new RegExp(`${silence.id}\\s+expired`));
    // Expiring it again is a refusal (exit 1), saying why.
    const again = await cli(['silence', 'expire', silence.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('409 silence_expired');
  });

  it('says what the service refused (exit 3, every problem) and catches usage mistakes before calling (exit 2)', async () => {
    const bad = await cli(['silence', 'add', '--rule', '~(a+)+', '--ends-in', '2h', '--comment', 'x', '--weekdays', 'funday', '--tz', 'Mars/Base']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('/matchers/rule/regex: unsafe regular expression');
    expect(bad.stderr).toContain('/schedule/timeZone');
    expect(bad.stderr).toContain('/schedule/weekdays/0');
    expect((await cli(['silence', 'add', '--ends-in', '2h', '--comment', 'x'])).stderr).toContain('give at least one matcher');
    expect((await cli(['silence', 'add', '--rule', 'r', '--comment', 'x'])).code).toBe(2);
    expect((await cli(['silence', 'add', '--rule', 'r', '--ends-in', 'soon', '--comment', 'x'])).stderr).toContain('--ends-in must be a duration');
    expect((await cli(['silence', 'add', '--rule', 'r', '--ends-in', '2h', '--comment', 'x', '--between', '22-6', '--tz', 'UTC'])).stderr).toContain('--between must be HH:MM-HH:MM');
    expect((await cli(['silence', 'add', '--rule', 'r', '--ends-in', '2h', '--comment', 'x', '--weekdays', 'sat'])).stderr).toContain('need --tz');
    expect((await cli(['silence', 'add', '--rule', 'r', '--ends-in', '2h'], KEYS.operator)).code).toBe(2);
    expect((await cli(['silence', 'add', '--rule', 'r', '--ends-in', '2h', '--comment', 'x'], KEYS.viewer)).code).toBe(3);
  });

  it('turns --ends-in into an end after --starts-at (or now)', () => {
    const now = new Date('2026-03-01T10:00:00Z');
    expect(silenceRequest({ url, timeout: '30', severity: 'critical', endsIn: '1d2h', comment: 'c' }, now)).toEqual({
      matchers: { severity: 'critical' },
      endsAt: '2026-03-02T12:00:00.000Z',
      comment: 'c',
    });
    expect(silenceRequest({ url, timeout: '30', source: 'agentx', startsAt: '2026-03-05T22:00:00+01:00', endsIn: '8h', comment: 'c' }, now)).toMatchObject({
      startsAt: '2026-03-05T21:00:00.000Z',
      endsAt: '2026-03-06T05:00:00.000Z',
    });
  });
});
