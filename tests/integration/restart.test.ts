import request from 'supertest';
import { ManualClock } from '../../src/clock';
import { newAction } from '../../src/pipeline/new-action';
import { buildTestApp } from '../helpers/test-app';
import { rule, rulesDoc, snapshot } from '../helpers/rules';

describe('persistence across restarts', () => {
  it('keeps cooldowns, pending approvals and history, and fails actions a crash interrupted', async () => {
    const clock = new ManualClock('2026-03-01T10:00:00Z');
    const rules = rulesDoc(rule('a'), rule('gated', { requiresApproval: true }));
    const first = await buildTestApp({ rules, clock });
    const fired = await request(first.app).post('/api/metrics?wait=true').send(snapshot({ errorRate: 0.5 }));
    const pendingId = fired.body.decisions.find((d: { rule: string }) => d.rule === 'gated').actionId;
    // An action caught mid-run by a crash: left `running` in the store.
    const interrupted = newAction({
      rule: first.services.rules.current().byName.get('a')!,
      status: 'running',
      now: clock.now(),
      requestedBy: 'test',
      snapshot: null,
      matchedFacts: {},
      expiresAt: null,
    });
    await first.services.store.dispatchAction({ ...interrupted, rule: 'crashed' }, clock.now(), clock.now());
    await first.stop();

    clock.advance(60_000);
    const second = await buildTestApp({ dir: first.dir, clock });
    try {
      const again = await request(second.app).post('/api/metrics').send(snapshot({ errorRate: 0.5 }));
      expect(again.body.decisions.map((d: { decision: string }) => d.decision)).toEqual(['cooldown', 'cooldown']);
      const pending = await request(second.app).get(`/api/self-healing/actions/${pendingId}`);
      expect(pending.body.status).toBe('pending_approval');
      const history = await request(second.app).get('/api/self-healing/actions');
      expect(history.body.items).toHaveLength(3);
      const crashed = history.body.items.find((a: { rule: string }) => a.rule === 'crashed');
      expect(crashed).toMatchObject({ status: 'failed' });
      expect(crashed.error).toMatch(/interrupted/);
      const approved = await request(second.app).post(`/api/self-healing/actions/${pendingId}/approve`).send({ by: 'ops' });
      expect(approved.body.status).toBe('succeeded');
    } finally {
      await second.stop();
    }
  });
});

describe('graceful shutdown', () => {
  it('waits for running actions to finish before closing the store', async () => {
    const { FakeModelHost } = await import('../helpers/fake-model-host');
    const primary = await FakeModelHost.start();
    const secondary = await FakeModelHost.start({ slowMs: 600 });
    await secondary.setMode('slow');
    const t = await buildTestApp({
      rules: rulesDoc(rule('failover', { action: { type: 'model_failover', params: {} } })),
      config: { modelHosts: { primary: primary.url, secondary: secondary.url, timeoutMs: 2000 } },
    });
    try {
      const res = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.5 }));
      const id = res.body.decisions[0].actionId as string;
      expect(res.body.decisions[0].status).toBe('running');
      expect(t.services.executor.runningCount).toBe(1);
      await t.stop(); // must wait for the slow health check and record the outcome first
      expect(t.services.executor.runningCount).toBe(0);
      const reopened = await buildTestApp({ dir: t.dir });
      try {
        const action = await reopened.services.store.getAction(id);
        expect(action?.status).toBe('succeeded');
        expect(action?.result?.details).toMatchObject({ from: 'primary', to: 'secondary' });
      } finally {
        await reopened.stop();
      }
    } finally {
      await primary.close();
      await secondary.close();
    }
  });
});
