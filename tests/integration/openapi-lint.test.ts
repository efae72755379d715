import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { buildTestApp, makeTempDir, type TestApp } from '../helpers/test-app';

/**
 * The served OpenAPI document passes an outside linter: Redocly CLI (pinned devDependency), its
 * `recommended` rules, no error and no warning. Runs offline: no telemetry, no remote references.
 */

const REDOCLY = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'redocly');

function lint(file: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      REDOCLY,
      ['lint', file, '--extends', 'recommended', '--format', 'stylish'],
      { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

describe('the OpenAPI document under Redocly lint', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await buildTestApp();
  });

  afterAll(async () => {
    await t.stop();
  });

  it('has no error and no warning with the recommended rules', async () => {
    const doc = (await request(t.app).get('/api/openapi.json')).body;
    const file = path.join(makeTempDir('shre-openapi-'), 'openapi.json');
    fs.writeFileSync(file, JSON.stringify(doc, null, 2));
    const { code, output } = await lint(file);
    expect(output).toMatch(/Woohoo! Your API description is valid|Your API description is valid/);
    expect(output).not.toMatch(/warning/i);
    expect(code).toBe(0);
  }, 150_000);
});
