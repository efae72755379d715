import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { buildTestApp, makeTempDir } from '../helpers/test-app';
import { rule, rulesDoc } from '../helpers/rules';
import { ROOT, runCli } from '../helpers/cli-process';

const SHIPPED = path.join(ROOT, 'config', 'self-healing-rules.json');
const SHIPPED_CASES = path.join(ROOT, 'config', 'self-healing-rules.cases.json');

let dir: string;
function write(name: string, value: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return file;
}

beforeAll(async () => {
  dir = makeTempDir('shre-cli-');
  // The first run builds dist/ when it is missing or older than the sources.
  const help = await runCli(['--help'], { timeoutMs: 240_000 });
  expect(help.code).toBe(0);
}, 250_000);

describe('self-healing --version', () => {
  it('prints the package version', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
  });
});

describe('self-healing rules validate', () => {
  it('accepts the shipped rules file', async () => {
    const r = await runCli(['rules', 'validate', SHIPPED]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid, 12 rules, version [0-9a-f]{20}/);
  });

  it('validates config/self-healing-rules.json of the current folder by default', async () => {
    fs.mkdirSync(path.join(dir, 'config'), { recursive: true });
    write('config/self-healing-rules.json', rulesDoc(rule('a'), rule('b', { mode: 'shadow' })));
    const r = await runCli(['rules', 'validate'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid, 2 rules (1 in shadow mode)');
  });

  it('names every problem by JSON pointer and exits 1', async () => {
    const file = write('bad.json', rulesDoc(rule('a', { mode: 'sometimes' }), rule('a'), rule('c', { action: { type: 'reboot' } })));
    const r = await runCli(['rules', 'validate', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('/rules/0/mode');
    expect(r.stdout).toContain('/rules/1/name: duplicate rule name "a"');
    expect(r.stdout).toContain('/rules/2/action/type');
    const asJson = await runCli(['rules', 'validate', file, '--json']);
    expect(asJson.code).toBe(1);
    const body = JSON.parse(asJson.stdout);
    expect(body.valid).toBe(false);
    expect(body.problems.map((p: { pointer: string }) => p.pointer)).toEqual(expect.arrayContaining(['/rules/0/mode', '/rules/1/name']));
  });

  it('reports a rules file that is not JSON (a trailing comma) as invalid: exit 1, the check failed', async () => {
    const file = write('trailing-comma.json', '{\n  "rules": [\n    { "name": "a" },\n  ]\n}\n');
    const r = await runCli(['rules', 'validate', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/trailing-comma\.json: invalid, 1 problems\n {2}\(root\): invalid JSON/);
    const asJson = await runCli(['rules', 'validate', file, '--json']);
    expect(asJson.code).toBe(1);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ valid: false, problems: [{ pointer: '', message: expect.stringMatching(/^invalid JSON/) }] });
    const tested = await runCli(['rules', 'test', file, SHIPPED_CASES]);
    expect(tested.code).toBe(1);
    expect(tested.stderr).toContain('invalid JSON');
  });

  it('prints the version the service reports for the same file, whatever its formatting', async () => {
    const serviceDir = makeTempDir('shre-cli-version-');
    // Four-space indentation and no final newline: not how the service writes, but what a person may save.
    fs.writeFileSync(path.join(serviceDir, 'rules.json'), JSON.stringify(rulesDoc(rule('a'), rule('b')), null, 4));
    const t = await buildTestApp({ dir: serviceDir });
    try {
      const served = await request(t.app).get('/api/self-healing/rules');
      const r = await runCli(['rules', 'validate', t.rulesFile, '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).version).toBe(served.body.version);
      expect((await runCli(['rules', 'validate', t.rulesFile])).stdout).toContain(`version ${served.body.version}`);
    } finally {
      await t.stop();
    }
  });

  it('exits 2 on a missing file or an unknown option', async () => {
    const missing = await runCli(['rules', 'validate', path.join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read rules file');
    const unknown = await runCli(['rules', 'validate', '--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--frobnicate'");
  });
});

describe('self-healing rules test', () => {
  it('passes the cases shipped with the default rules file', async () => {
    const r = await runCli(['rules', 'test', SHIPPED, SHIPPED_CASES]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/9 cases, \d+ steps: 9 passed, 0 failed/);
  });

  it('plays cooldowns and approvals out on the virtual clock, and prints each failing step', async () => {
    const rules = write('rules.json', rulesDoc(
      rule('errors', { cooldownMinutes: 10 }),
      rule('gated', { requiresApproval: true, cooldownMinutes: 0 }),
      rule('trial', { mode: 'shadow', cooldownMinutes: 0 }),
    ));
    const high = { metrics: { errorRate: 0.2 } };
    const cases = write('cases.json', {
      cases: [
        {
          name: 'cooldown then fire again',
          steps: [
            { snapshot: high, expect: { errors: 'execute', gated: 'require_approval', trial: 'shadow:execute' } },
            { after: '9m', snapshot: high, expect: { errors: 'cooldown', gated: 'duplicate_pending', trial: 'shadow' } },
            { after: '1m', snapshot: high, expect: { errors: 'execute' } },
            { after: '2h', snapshot: { metrics: { errorRate: 0.01 } }, expect: { errors: 'no_match' } },
          ],
        },
        {
          name: 'approved at once: no approval stays open',
          approvals: 'approve',
          steps: [
            { snapshot: high, expect: { gated: 'require_approval' } },
            { after: '1m', snapshot: high, expect: { gated: 'require_approval' } },
          ],
        },
        {
          name: 'a wrong expectation',
          steps: [
            { snapshot: high, expect: { errors: 'execute' } },
            { after: '1m', snapshot: high, expect: { errors: 'execute', ghost: 'no_match' } },
          ],
        },
      ],
    });
    const r = await runCli(['rules', 'test', rules, cases]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('PASS  ' + cases + ': cooldown then fire again');
    expect(r.stdout).toContain('PASS  ' + cases + ': approved at once: no approval stays open');
    expect(r.stdout).toContain('FAIL  ' + cases + ': a wrong expectation');
    expect(r.stdout).toMatch(/step 2 \(2026-01-01T00:01:00.000Z\) rule errors: expected execute, got cooldown — in cooldown until 2026-01-01T00:10:00.000Z/);
    expect(r.stdout).toContain('rule ghost: expected no_match, got no such rule in the rules file');
    expect(r.stdout).toContain('3 cases, 8 steps: 2 passed, 1 failed');

    const asJson = await runCli(['rules', 'test', rules, cases, '--json']);
    const body = JSON.parse(asJson.stdout);
    expect(body).toMatchObject({ ok: false, cases: 3, failed: 1, steps: 8 });
  });

  it('plays the budgets and verification windows of the service configuration it finds, and prints a wrong outcome', async () => {
    const rules = write('loop-rules.json', rulesDoc(
      rule('slow-down', {
        action: { type: 'throttle', params: { factor: 0.5, durationMinutes: 5 } },
        cooldownMinutes: 0,
        verify: { windowMinutes: 5, onIneffective: 'revert' },
      }),
    ));
    const high = { metrics: { errorRate: 0.2 } };
    const cases = write('loop-cases.json', {
      cases: [
        {
          name: 'one throttle an hour, still needed 5 minutes later',
          steps: [
            { snapshot: high, expect: { 'slow-down': 'execute' } },
            { after: '3m', snapshot: high, expect: { 'slow-down': 'budget_exhausted' } },
            { after: '3m', snapshot: high, expectOutcome: { 'slow-down': 'ineffective:revert' }, expect: { 'slow-down': 'budget_exhausted' } },
          ],
        },
        {
          name: 'a wrong outcome',
          steps: [
            { snapshot: high, expect: { 'slow-down': 'execute' } },
            { after: '6m', snapshot: { metrics: { errorRate: 0 } }, expectOutcome: { 'slow-down': 'effective' }, expect: {} },
          ],
        },
      ],
    });
    // The limits come from the service's configuration: here a CONFIG_FILE allows one action per target an hour.
    const config = write('config.json', { limits: { perTarget: { windowMinutes: 60, maxActions: 1 } } });
    const r = await runCli(['rules', 'test', rules, cases], { env: { CONFIG_FILE: config } });
    expect(r.stdout).toContain('PASS  ' + cases + ': one throttle an hour, still needed 5 minutes later');
    expect(r.stdout).toContain('FAIL  ' + cases + ': a wrong outcome');
    // No snapshot came between the action and the window's end at minute 5.
    expect(r.stdout).toMatch(/step 2 \(2026-01-01T00:06:00.000Z\) rule slow-down: expected outcome effective, got outcome unknown/);
    expect(r.code).toBe(1);
    // With the shipped defaults (3 actions an hour) the second step runs.
    const defaults = await runCli(['rules', 'test', rules, cases, '--json']);
    expect(JSON.parse(defaults.stdout).reports[0].steps[1].failures).toEqual([
      expect.objectContaining({ rule: 'slow-down', expected: 'budget_exhausted', actual: 'execute' }),
    ]);
    const broken = await runCli(['rules', 'test', rules, cases], { env: { CONFIG_FILE: write('bad-config.json', { limits: { perTarget: { maxActions: 0 } } }) } });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('configuration is invalid');
  });

  it('refuses a malformed cases file (exit 2) and an invalid rules file (exit 1)', async () => {
    const rules = write('rules-ok.json', rulesDoc(rule('errors')));
    const cases = write('bad-cases.json', { cases: [{ name: 'x', steps: [{ after: 'soon', snapshot: {}, expect: { errors: 'maybe' } }] }] });
    const r = await runCli(['rules', 'test', rules, cases]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/cases/0/steps/0/after');
    expect(r.stderr).toContain('/cases/0/steps/0/snapshot');
    expect(r.stderr).toContain('/cases/0/steps/0/expect/errors');
    const badRules = write('rules-bad.json', { rules: [{ name: 'x' }] });
    const invalid = await runCli(['rules', 'test', badRules, SHIPPED_CASES]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('/rules/0');
    const missingArg = await runCli(['rules', 'test', rules]);
    expect(missingArg.code).toBe(2);
    expect(missingArg.stderr).toContain("missing required argument 'cases-files'");
  });
});

describe('self-healing rules diff', () => {
  it('lists added, removed and changed rules field by field; exit 1 when they differ', async () => {
    const a = write('a.json', rulesDoc(rule('kept'), rule('gone'), rule('same')));
    const b = write('b.json', rulesDoc(
      rule('kept', { cooldownMinutes: 20, mode: 'shadow', conditions: { all: [{ fact: 'errorRate', operator: 'greaterThan', value: 0.1 }] } }),
      rule('new'),
      rule('same'),
    ));
    const r = await runCli(['rules', 'diff', a, b]);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines.find((l) => l.startsWith('added'))).toMatch(/added\s+new/);
    expect(lines.find((l) => l.startsWith('removed'))).toMatch(/removed\s+gone/);
    expect(r.stdout).toMatch(/changed\s+kept\s+\/cooldownMinutes\s+10\s+20/);
    expect(r.stdout).toMatch(/changed\s+kept\s+\/mode\s+"enforce"\s+"shadow"/);
    expect(r.stdout).toMatch(/changed\s+kept\s+\/conditions\/all\/0\/value\s+0.05\s+0.1/);
    expect(r.stdout).not.toContain('same');

    const asJson = JSON.parse((await runCli(['rules', 'diff', a, b, '--json'])).stdout);
    expect(asJson).toMatchObject({ same: false, added: ['new'], removed: ['gone'] });
    expect(asJson.changed[0].fields).toContainEqual({ field: '/cooldownMinutes', before: 10, after: 20 });

    const same = await runCli(['rules', 'diff', a, a]);
    expect(same.code).toBe(0);
    expect(same.stdout.trim()).toBe('no rule differs');
  });
});
