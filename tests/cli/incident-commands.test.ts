import { API_KEYS, KEYS } from '../helpers/api-keys';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { serveForCli, type CliService } from '../helpers/cli-in-process';
import type { TestApp } from '../helpers/test-app';

/** `self-healing incidents [--open]` and `incidents show <id>` against a running service (in-process). */
describe('self-healing incidents', () => {
  let t: TestApp;
  let url: string;
  let service: CliService;

  beforeAll(async () => {
    service = await serveForCli({
      rules: rulesDoc(rule('note', { priority: 20, cooldownMinutes: 0, inhibits: { rules: ['second'], sameSource: true } }), rule('second', { priority: 10 })),
      config: { auth: { apiKeys: API_KEYS } },
    });
    ({ t, url } = service);
  });

  afterAll(async () => {
    await service.stop();
  });

  const cli = (args: string[], key: string = KEYS.viewer) => service.cli(args, key);

  it('lists open incidents first and shows one with its timeline', async () => {
    expect((await cli(['incidents', '--open'])).stdout).toBe('no open incidents');
    const ingest = async (source: string) => {
      const res = await fetch(`${url}/api/metrics?wait=true`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${KEYS.operator}` },
        body: JSON.stringify(snapshot({ errorRate: 0.4 }, source)),
      });
      expect(res.status).toBe(200);
    };
    await ingest('billing');
    await ingest('agentx');
    const [agentx, billing] = (await t.store.incidents.listIncidents({ limit: 10 })).items;
    await t.services.incidents.resolve(billing!, 'quiet');

    const listed = await cli(['incidents']);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.split('\n');
    expect(lines[0]).toMatch(/^id\s+state\s+group\s+opened\s+resolved$/);
    expect(lines[2]).toMatch(new RegExp(`^${agentx!.id}\\s+open\\s+source=agentx\\s+2026-03-01T10:00:00.000Z\\s+-$`));
    expect(lines[3]).toMatch(new RegExp(`^${billing!.id}\\s+resolved\\s+source=billing\\s+.*\\(quiet\\)$`));
    const open = await cli(['incidents', '--open', '--json']);
    expect(JSON.parse(open.stdout).items.map((i: { id: string }) => i.id)).toEqual([agentx!.id]);

    const shown = await cli(['incidents', 'show', agentx!.id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`incident ${agentx!.id} (open) source=agentx, opened 2026-03-01T10:00:00.000Z, last decided 2026-03-01T10:00:00.000Z`);
    expect(shown.stdout).toContain('rules: note, second');
    expect(shown.stdout).toMatch(/decision execute\s+note\s+runs alert_only now/);
    expect(shown.stdout).toMatch(/decision inhibited\s+second\s+inhibited by rule note \(dispatched on this snapshot\)/);
    expect(shown.stdout).toMatch(/succeeded\s+note\s+/);

    const unknown = await cli(['incidents', 'show', '00000000-0000-4000-8000-000000000000']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('no incident with id');
  });
});
