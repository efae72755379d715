import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  CREDENTIAL,
  installN8n,
  n8nCommand,
  type RunningN8n,
  startN8n,
  WORKFLOW_IDS,
  WORKFLOWS_DIR,
} from '../helpers/n8n-runtime';
import { freePort, type ServiceProcess, startServiceProcess } from '../helpers/service-process';
import { waitFor } from '../helpers/wait-for';

/**
 * Opt-in (`npm run test:n8n`): the real n8n, with the workflows of docs/n8n imported by its CLI,
 * against the real service process. n8n pushes a snapshot → the service opens an approval → the
 * event reaches n8n → n8n asks a person (a chat webhook stood in for by a local server) with
 * approve/reject links → the person clicks approve → n8n sends the signed decision → the action runs.
 */
jest.setTimeout(30 * 60_000);

const log = (line: string) => process.stdout.write(`[n8n round trip] ${line}\n`);

interface ChatMessage {
  text: string;
  actionId?: string;
  approveUrl?: string;
  rejectUrl?: string;
  event: { id: string; type: string; action: { id: string; status: string } | null };
}

describe('round trip through the real n8n', () => {
  const secret = crypto.randomBytes(24).toString('hex');
  const apiKey = crypto.randomBytes(24).toString('hex');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'shre-n8n-'));
  const userFolder = path.join(work, 'n8n-home');
  const chat: ChatMessage[] = [];
  let side: http.Server;
  let sideUrl = '';
  let service: ServiceProcess | null = null;
  let n8n: RunningN8n | null = null;
  let n8nUrl = '';

  const api = async (p: string) => {
    const res = await fetch(`${service!.url}${p}`, { headers: { authorization: `Bearer ${apiKey}` } });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    const started = Date.now();
    const bin = await installN8n(log);
    log(`n8n binary ready after ${Math.round((Date.now() - started) / 1000)} s: ${bin}`);

    // The metrics source (a) reads, and the chat incoming webhook (b) posts to.
    side = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (req.url === '/metrics') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ source: 'n8n-round-trip', metrics: { costPerHour: 42.5, errorRate: 0.01 } }));
          return;
        }
        if (req.url === '/chat') chat.push(JSON.parse(body) as ChatMessage);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => side.listen(0, '127.0.0.1', resolve));
    sideUrl = `http://127.0.0.1:${(side.address() as AddressInfo).port}`;

    // The HMAC secret lives in an n8n credential, imported like the workflows.
    const credFile = path.join(work, 'credentials.json');
    fs.writeFileSync(credFile, JSON.stringify([{ ...CREDENTIAL, type: 'crypto', data: { hmacSecret: secret } }]));
    let t = Date.now();
    await n8nCommand(bin, userFolder, ['import:credentials', `--input=${credFile}`]);
    const imported = await n8nCommand(bin, userFolder, ['import:workflow', '--separate', `--input=${WORKFLOWS_DIR}`]);
    expect(imported).toMatch(/Successfully imported 3 workflows/);
    for (const id of WORKFLOW_IDS) await n8nCommand(bin, userFolder, ['publish:workflow', `--id=${id}`]);
    log(`imported and published ${WORKFLOW_IDS.length} workflows in ${Math.round((Date.now() - t) / 1000)} s`);

    const n8nPort = await freePort();
    n8nUrl = `http://127.0.0.1:${n8nPort}`;
    const rulesFile = path.join(work, 'rules.json');
    fs.writeFileSync(
      rulesFile,
      JSON.stringify({
        rules: [
          {
            name: 'n8n-cost-spike',
            description: 'Spend per hour above budget: halve the request rate, after a person agrees.',
            enabled: true,
            priority: 50,
            severity: 'warning',
            conditions: { all: [{ fact: 'costPerHour', operator: 'greaterThan', value: 10 }] },
            action: { type: 'throttle', params: { factor: 0.5, durationMinutes: 15 } },
            cooldownMinutes: 60,
            requiresApproval: true,
            notifications: { channels: ['log', 'n8n'] },
          },
        ],
      }),
    );
    service = await startServiceProcess({
      SQLITE_PATH: path.join(work, 'store.db'),
      RULES_FILE: rulesFile,
      API_KEYS: `round-trip:admin:${apiKey}`,
      N8N_WEBHOOK_URL: `${n8nUrl}/webhook/self-healing-events`,
      N8N_WEBHOOK_SECRET: secret,
    });
    log(`service listening on ${service.url}`);

    t = Date.now();
    n8n = await startN8n(bin, userFolder, {
      N8N_PORT: String(n8nPort),
      N8N_LISTEN_ADDRESS: '127.0.0.1',
      N8N_HOST: '127.0.0.1',
      WEBHOOK_URL: `${n8nUrl}/`,
      N8N_RUNNERS_BROKER_PORT: String(await freePort()),
      // The workflows read these with $env (docs/n8n.md).
      N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
      SELF_HEALING_URL: service.url,
      METRICS_SOURCE_URL: `${sideUrl}/metrics`,
      APPROVAL_CHAT_WEBHOOK_URL: `${sideUrl}/chat`,
    });
    log(`n8n started in ${Math.round((Date.now() - t) / 1000)} s on ${n8nUrl}`);
    const activated = n8n.output().match(/Activated workflow/g) ?? [];
    expect(activated).toHaveLength(3);
  });

  afterAll(async () => {
    if (n8n) {
      if (process.env.N8N_TEST_VERBOSE) log(n8n.output());
      await n8n.stop();
    }
    if (service) await service.stop();
    await new Promise<void>((resolve) => (side ? side.close(() => resolve()) : resolve()));
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('snapshot from n8n → pending approval → event to n8n → approve link → signed decision → the action runs', async () => {
    let t = Date.now();
    // (a) The schedule (every 30 s) pushes a signed snapshot; the rule asks for approval.
    const pending = await waitFor(
      async () => {
        const res = await api('/api/self-healing/actions?status=pending_approval');
        return res.body.items?.length === 1 && res.body.items[0];
      },
      { timeoutMs: 120_000, what: 'a pending approval created from the snapshot n8n pushed' },
    );
    log(`n8n pushed a snapshot; pending approval ${pending.id} after ${Math.round((Date.now() - t) / 1000)} s`);
    expect(pending).toMatchObject({
      rule: 'n8n-cost-spike',
      type: 'throttle',
      status: 'pending_approval',
      requestedBy: 'webhook:n8n',
      snapshot: { source: 'n8n-round-trip', metrics: { costPerHour: 42.5 } },
      matchedFacts: { costPerHour: 42.5 },
    });

    // (b) The event reaches n8n, which checks its signature and asks a person with links.
    t = Date.now();
    const ask = await waitFor(
      () => chat.find((m) => m.event.type === 'action.pending_approval' && m.actionId === pending.id),
      { timeoutMs: 60_000, what: 'the approval request in the chat' },
    );
    log(`n8n forwarded the approval request to the chat after ${Math.round((Date.now() - t) / 1000)} s: ${ask.text.split('\n')[0]}`);
    expect(ask.text).toContain('costPerHour = 42.5');
    expect(ask.approveUrl).toMatch(new RegExp(`^${n8nUrl}/webhook/self-healing-decision\\?actionId=${pending.id}&decision=approve&token=[0-9a-f]{64}$`));
    const outbox = await api('/api/self-healing/notifications?type=action.pending_approval');
    expect(outbox.body.items[0]).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200, eventId: ask.event.id });

    // A forged link is refused by n8n and changes nothing.
    const forged = await fetch(ask.approveUrl!.replace(/token=[0-9a-f]{4}/, 'token=0000'));
    expect(forged.status).toBe(403);
    expect((await api(`/api/self-healing/actions/${pending.id}`)).body.status).toBe('pending_approval');

    // (c) The person clicks approve; n8n signs the decision and calls the inbound webhook.
    t = Date.now();
    const clicked = await fetch(`${ask.approveUrl}&by=oncall-alice`);
    const page = await clicked.text();
    log(`approve link answered ${clicked.status} after ${Math.round((Date.now() - t) / 1000)} s: ${page}`);
    expect(clicked.status).toBe(200);
    expect(page).toBe(`Done: action ${pending.id} is succeeded (decided by oncall-alice).`);

    const done = (await api(`/api/self-healing/actions/${pending.id}`)).body;
    expect(done).toMatchObject({
      status: 'succeeded',
      decidedBy: 'oncall-alice',
      decisionComment: 'decided through the n8n approval link',
      requestedBy: 'webhook:n8n',
    });
    const throttle = await api('/api/self-healing/throttle');
    expect(throttle.body).toMatchObject({ active: true, factor: 0.5 });

    // The outcome goes back out to n8n as well, and on to the channel.
    const notices = await waitFor(
      () => {
        const types = chat.filter((m) => m.event.action?.id === pending.id || m.event.type === 'throttle.changed').map((m) => m.event.type);
        return types.includes('action.succeeded') && types.includes('throttle.changed') && types;
      },
      { timeoutMs: 60_000, what: 'the action.succeeded and throttle.changed notices' },
    );
    log(`events relayed to the chat: ${notices.join(', ')}`);

    // Deciding again through a link is refused by the service (409), and n8n says so.
    const late = await fetch(ask.rejectUrl!);
    expect(late.status).toBe(409);
    expect(await late.text()).toMatch(/^Not done: action is no longer pending approval: it is succeeded/);

    const all = await api('/api/self-healing/notifications?limit=50');
    log(`outbox: ${all.body.items.map((i: { type: string; status: string; attempts: number }) => `${i.type}=${i.status}/${i.attempts}`).join(', ')}`);
    expect(all.body.items.every((i: { status: string }) => i.status === 'delivered')).toBe(true);
  });
});
