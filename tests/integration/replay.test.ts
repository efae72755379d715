import fs from 'node:fs';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../helpers/test-app';
import { ingestSeries } from '../helpers/app-ingest';
import { rule, rulesDoc, snapshot } from '../helpers/rules';

const high = { errorRate: 0.2 };
const low = { errorRate: 0.01 };

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
    // minute 0 fires, 1-2 in cooldown, 3 fires again, 4 no match, 5 in cooldown; then the two
    // verification windows (alert_only: 10 minutes) end with the rule still matching at minute 5.
    expect(res.body.timeline.map((e: { decision: string }) => e.decision)).toEqual(['execute', 'cooldown', 'cooldown', 'execute', 'cooldown', 'verified', 'verified']);
    expect(res.body.timeline[0]).toMatchObject({ at: '2026-03-01T10:00:00.000Z', source: 'app', rule: 'errors', actionId: 'replay-1' });
    expect(res.body.timeline[5]).toEqual({
      at: '2026-03-01T10:10:00.000Z', source: 'app', rule: 'errors', decision: 'verified', actionId: 'replay-1',
      outcome: 'ineffective', recoveredAt: '2026-03-01T10:04:00.000Z', followUp: 'none',
    });
    expect(res.body.summary).toEqual([{ rule: 'errors', execute: 2, cooldown: 3, ineffective: 2 }]);

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
    // Approved at once, each ran; with no `to`, the replay ends at the last snapshot, inside their windows.
    expect(approved.body.summary).toEqual([{ rule: 'gated', require_approval: 3, verifying: 3 }]);
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
    // The history ends now, a minute after the last snapshot: every window is still open.
    expect(res.body.summary).toEqual([
      { rule: 'errors', execute: 4, verifying: 4 },
      { rule: 'trial', shadow: 4 },
    ]);
    expect(res.body.timeline.filter((e: { rule: string }) => e.rule === 'trial')[0]).toMatchObject({ decision: 'shadow', wouldDecide: 'execute' });
    expect(res.body.diff).toEqual([
      { rule: 'errors', current: { execute: 1, cooldown: 3, verifying: 1 }, candidate: { execute: 4, verifying: 4 } },
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
    expect(first.body.summary).toEqual([{ rule: 'errors', execute: 5, verifying: 5 }]);
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

  it('plays budgets and verification windows as they would have run, unpaused, and changes nothing', async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('errors')) });
    const candidate = rulesDoc(
      rule('slow-down', {
        action: { type: 'throttle', params: { factor: 0.5, durationMinutes: 5 } },
        cooldownMinutes: 2,
        maxActionsPerTarget: 2,
        verify: { windowMinutes: 2, onIneffective: 'revert' },
      }),
    );
    // errorRate by minute from source `app`: high 0-1, high at 2 (window of 0 ends still matching),
    // low at 3-4 (the action at 2 worked), high again at 5 and 6: the target's 2 actions in 60 min are spent.
    // Automation is paused meanwhile: a replay plays it unpaused.
    const series = [high, high, high, low, low, high, high];
    const snapshots = series.map((metrics, m) => ({ ...snapshot(metrics), timestamp: `2026-03-01T10:0${m}:00Z` }));
    await t.services.pause.pause({ reason: 'incident', by: 'ops' });
    const eventsBefore = t.notifier.events.length;
    const pauseBefore = await t.services.store.getPauseState();

    const res = await request(t.app).post('/api/self-healing/replay').send({ rules: candidate, snapshots, to: '2026-03-01T11:00:00Z' });
    expect(res.status).toBe(200);
    const lines = res.body.timeline.map((e: { at: string; decision: string; outcome?: string; followUp?: string }) =>
      `${e.at.slice(11, 16)} ${e.decision}${e.outcome ? ` ${e.outcome}` : ''}${e.followUp ? ` ${e.followUp}` : ''}`);
    expect(lines).toEqual([
      '10:00 execute',
      '10:01 cooldown',
      '10:02 execute',
      '10:02 verified ineffective revert',
      '10:04 verified effective',
      '10:05 budget_exhausted',
      '10:06 budget_exhausted',
    ]);
    expect(res.body.timeline[5]).toMatchObject({ target: 'throttle', until: '2026-03-01T11:00:00.000Z' });
    expect(res.body.summary).toEqual([{ rule: 'slow-down', execute: 2, cooldown: 1, budget_exhausted: 2, ineffective: 1, reverted: 1, effective: 1 }]);

    // A replay only records what would have happened: no action, revert, budget claim, alert or event.
    expect((await t.services.store.listActions({ limit: 10 })).items).toHaveLength(0);
    expect((await t.services.store.listAlerts({ limit: 10 })).items).toHaveLength(0);
    expect((await request(t.app).get('/api/self-healing/throttle')).body.active).toBe(false);
    expect((await t.services.store.getBudgetUsage(['throttle'], new Date(0))).get('throttle') ?? []).toEqual([]);
    expect(t.notifier.events.length).toBe(eventsBefore);
    expect(await t.services.store.getPauseState()).toEqual(pauseBefore);
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
    const badClock = await request(t.app).post('/api/self-healing/replay').send({ clock: 'wall' });
    expect(badClock.status).toBe(400);
    expect(badClock.body.errors[0].pointer).toBe('/clock');
    const receivedGiven = await request(t.app).post('/api/self-healing/replay').send({ clock: 'received', snapshots: [snapshot(high)] });
    expect(receivedGiven.status).toBe(400);
    expect(receivedGiven.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(receivedGiven.body.errors).toEqual([{ pointer: '/clock', message: 'must be "timestamp" (or absent) with `snapshots`' }]);
  });

  it('plays backfilled history on its own timestamps with clock "timestamp", not squeezed into when it was loaded', async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('errors', { cooldownMinutes: 5, verify: false })) });
    // 200 snapshots over 200 minutes, sent in one batch, newest first: all received at one instant.
    const start = Date.parse('2026-02-20T00:00:00Z');
    const history = Array.from({ length: 200 }, (_, i) => ({ source: 'backfill', timestamp: new Date(start + i * 60_000).toISOString(), metrics: high })).reverse();
    expect((await request(t.app).post('/api/metrics/batch').send({ snapshots: history })).status).toBe(200);
    t.clock.advance(60_000);

    const received = await request(t.app).post('/api/self-healing/replay').send({ limit: 10_000 });
    expect(received.body).toMatchObject({ clock: 'received', snapshots: 200 });
    // At the one instant they arrived: the first fires, every other one is in its cooldown.
    expect(received.body.summary).toEqual([{ rule: 'errors', execute: 1, cooldown: 199 }]);
    expect(new Set(received.body.timeline.map((e: { at: string }) => e.at)).size).toBe(1);

    const own = await request(t.app).post('/api/self-healing/replay').send({ clock: 'timestamp', limit: 10_000 });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ clock: 'timestamp', snapshots: 200 });
    // On their own clock, oldest first: one action every 5 minutes over the 200.
    expect(own.body.summary).toEqual([{ rule: 'errors', execute: 40, cooldown: 160 }]);
    expect(own.body.timeline[0]).toMatchObject({ at: '2026-02-20T00:00:00.000Z', decision: 'execute' });
    expect(own.body.timeline[5]).toMatchObject({ at: '2026-02-20T00:05:00.000Z', decision: 'execute' });
    expect(own.body.timeline[199]).toMatchObject({ at: '2026-02-20T03:19:00.000Z', decision: 'cooldown' });

    // `from` and `to` bound the timestamps on this clock.
    const hour = await request(t.app)
      .post('/api/self-healing/replay')
      .send({ clock: 'timestamp', from: '2026-02-20T01:00:00Z', to: '2026-02-20T01:59:59Z' });
    expect(hour.body).toMatchObject({ snapshots: 60, from: '2026-02-20T01:00:00.000Z', to: '2026-02-20T01:59:59.000Z' });
    expect(hour.body.summary).toEqual([{ rule: 'errors', execute: 12, cooldown: 48 }]);
  });
});
