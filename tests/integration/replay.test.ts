import fs from 'node:fs';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../helpers/test-app';
import { rule, rulesDoc, snapshot } from '../helpers/rules';

const high = { errorRate: 0.2 };
const low = { errorRate: 0.01 };

/** Ingests a series one minute apart (the clock moves), so the store holds a known history. */
async function ingestSeries(t: TestApp, series: Record<string, unknown>[], source = 'app') {
  for (const metrics of series) {
    // wait=true: every action has finished, so "before" and "after" compare settled state.
    const res = await request(t.app).post('/api/metrics?wait=true').send(snapshot(metrics, source));
    expect(res.status).toBe(200);
    t.clock.advance(60_000);
  }
}

describe('POST /api/self-healing/replay', () => {
  let t: TestApp;

  afterEach(async () => {
    await t.stop();
  });

  it('replays stored history in time order with cooldowns, and changes nothing', async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('errors', { cooldownMinutes: 3 })) });
    await ingestSeries(t, [high, high, high, high, low, high]);
    const actionsBefore = (await t.services.store.listActions({ limit: 100 })).items;
    const statesBefore = await t.services.store.getRuleStates(['errors']);
    const fileBefore = fs.readFileSync(t.rulesFile, 'utf8');
    const eventsBefore = t.notifier.events.length;
    const snapshotsBefore = await t.services.store.countSnapshots();
    t.clock.advance(60 * 60_000);

    const res = await request(t.app).post('/api/self-healing/replay').send({});
    expect(res.status).toBe(200);
    expect(res.body.snapshots).toBe(6);
    // minute 0 fires, 1-2 in cooldown, 3 fires again, 4 no match, 5 in cooldown
    expect(res.body.timeline.map((e: { decision: string }) => e.decision)).toEqual(['execute', 'cooldown', 'cooldown', 'execute', 'cooldown']);
    expect(res.body.timeline[0]).toMatchObject({ at: '2026-03-01T10:00:00.000Z', source: 'app', rule: 'errors' });
    expect(res.body.summary).toEqual([{ rule: 'errors', execute: 2, cooldown: 3 }]);

    expect((await t.services.store.listActions({ limit: 100 })).items).toEqual(actionsBefore);
    expect(await t.services.store.getRuleStates(['errors'])).toEqual(statesBefore);
    expect(fs.readFileSync(t.rulesFile, 'utf8')).toBe(fileBefore);
    expect(t.notifier.events.length).toBe(eventsBefore);
    expect(await t.services.store.countSnapshots()).toBe(snapshotsBefore);
  });

  it('plays approvals as asked: one open approval per rule while pending, none when approved', async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('gated', { cooldownMinutes: 0, requiresApproval: true })) });
    const snapshots = [0, 1, 2].map((m) => ({ ...snapshot(high), timestamp: `2026-03-01T10:0${m}:00Z` }));
    const pending = await request(t.app).post('/api/self-healing/replay').send({ snapshots });
    expect(pending.body.timeline.map((e: { decision: string }) => e.decision)).toEqual(['require_approval', 'duplicate_pending', 'duplicate_pending']);
    const approved = await request(t.app).post('/api/self-healing/replay').send({ snapshots, approvals: 'approve' });
    expect(approved.body.summary).toEqual([{ rule: 'gated', require_approval: 3 }]);
    // An open approval expires (approvals.timeoutMinutes, 60 by default) and the rule asks again.
    const later = [...snapshots, { ...snapshot(high), timestamp: '2026-03-01T11:05:00Z' }];
    const expired = await request(t.app).post('/api/self-healing/replay').send({ snapshots: later });
    expect(expired.body.timeline.at(-1).decision).toBe('require_approval');
    expect((await t.services.store.listActions({ limit: 10 })).items).toHaveLength(0);
    expect(await t.services.store.countSnapshots()).toBe(0);
  });

  it('replays a candidate file and compares it with the rules in force', async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('errors', { cooldownMinutes: 10 })) });
    await ingestSeries(t, [high, high, high, high]);
    const candidate = rulesDoc(
      rule('errors', { cooldownMinutes: 0 }),
      rule('trial', { mode: 'shadow', cooldownMinutes: 0, conditions: { all: [{ fact: 'errorRate', operator: 'greaterThan', value: 0.1 }] } }),
    );
    const res = await request(t.app).post('/api/self-healing/replay').send({ rules: candidate, compareTo: 'current' });
    expect(res.status).toBe(200);
    expect(res.body.summary).toEqual([
      { rule: 'errors', execute: 4 },
      { rule: 'trial', shadow: 4 },
    ]);
    expect(res.body.timeline.filter((e: { rule: string }) => e.rule === 'trial')[0]).toMatchObject({ decision: 'shadow', wouldDecide: 'execute' });
    expect(res.body.diff).toEqual([
      { rule: 'errors', current: { execute: 1, cooldown: 3 }, candidate: { execute: 4 } },
      { rule: 'trial', current: {}, candidate: { shadow: 4 } },
    ]);
    expect(res.body.currentVersion).toBe(t.services.rules.current().version);
    expect(res.body.rulesVersion).not.toBe(res.body.currentVersion);
  });

  it('filters by time and source, and pages the timeline with a cursor', async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('errors', { cooldownMinutes: 0 })) });
    await ingestSeries(t, [high, high, high], 'a');
    await ingestSeries(t, [high, high], 'b');
    const onlyB = await request(t.app).post('/api/self-healing/replay').send({ sources: ['b'] });
    expect(onlyB.body.snapshots).toBe(2);
    const window = await request(t.app).post('/api/self-healing/replay').send({ from: '2026-03-01T10:01:00Z', to: '2026-03-01T10:03:00Z' });
    expect(window.body.snapshots).toBe(3);

    const first = await request(t.app).post('/api/self-healing/replay').send({ limit: 2 });
    expect(first.body.timeline).toHaveLength(2);
    expect(first.body.summary).toEqual([{ rule: 'errors', execute: 5 }]);
    // New snapshots after the first page do not shift the pages: the cursor pins the end.
    t.clock.advance(60_000);
    await ingestSeries(t, [high]);
    const second = await request(t.app).post('/api/self-healing/replay').send({ limit: 2, cursor: first.body.nextCursor });
    const third = await request(t.app).post('/api/self-healing/replay').send({ limit: 2, cursor: second.body.nextCursor });
    const ats = [...first.body.timeline, ...second.body.timeline, ...third.body.timeline].map((e: { at: string }) => e.at);
    expect(ats).toHaveLength(5);
    expect(new Set(ats).size).toBe(5);
    expect(third.body.nextCursor).toBeNull();
    const misused = await request(t.app).post('/api/self-healing/replay').send({ limit: 3, cursor: first.body.nextCursor });
    expect(misused.status).toBe(400);
    expect(misused.body.errors[0].pointer).toBe('/cursor');
  });

  it('refuses bad input with what was wrong', async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('errors')) });
    const badRules = await request(t.app)
      .post('/api/self-healing/replay')
      .send({ rules: { rules: [{ name: 'x', conditions: { all: [] }, action: { type: 'nope' } }] } });
    expect(badRules.status).toBe(400);
    expect(badRules.body.errors.every((e: { pointer: string }) => e.pointer.startsWith('/rules/rules/0'))).toBe(true);
    const badSnapshot = await request(t.app).post('/api/self-healing/replay').send({ snapshots: [{ source: 'a', metrics: {} }] });
    expect(badSnapshot.status).toBe(400);
    expect(badSnapshot.body.errors[0].pointer).toBe('/snapshots/0/timestamp');
    const badField = await request(t.app).post('/api/self-healing/replay').send({ approvals: 'maybe', extra: 1 });
    expect(badField.status).toBe(400);
    expect(badField.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/approvals', '/extra']);
    const reversed = await request(t.app).post('/api/self-healing/replay').send({ from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' });
    expect(reversed.status).toBe(400);
  });
});
