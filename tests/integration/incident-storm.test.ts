import request from 'supertest';
import type { IncidentDecision } from '../../src/domain/incident';
import { timeOrderedId } from '../../src/domain/time-ordered-id';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/**
 * An incident in a storm: the same held-back snapshot over and over records each rule's decision once
 * (and again when it changes), while the incident still counts as decided on for quiet resolution.
 */

const bad = { errorRate: 0.4 };
/** `first` acts once (then stays in cooldown for an hour); the incident's budget of one action holds `held` back every time. */
const stormRules = rulesDoc(rule('first', { priority: 30, cooldownMinutes: 60 }), rule('held', { priority: 10, cooldownMinutes: 0 }));
const stormConfig = { limits: { perIncident: { maxActions: 1 } } };

type Decision = { rule: string; decision: string };

/** The incident as the periodic work leaves it `ms` later. */
async function sweptAfter(t: TestApp, ms: number, id: string) {
  t.clock.advance(ms);
  await t.services.sweeps.runOnce();
  return t.store.incidents.getIncident(id);
}
const kinds = (decisions: Decision[]) => decisions.map((d) => `${d.rule}:${d.decision}`);

describe('incidents in a storm', () => {
  let t: TestApp;
  afterEach(async () => {
    await t.stop();
  });

  it('records a held-back snapshot sent again and again once per rule, and a changed decision again', async () => {
    t = await buildTestApp({ rules: stormRules, config: stormConfig });
    const sent: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const reply = await request(t.app).post('/api/metrics').send(snapshot(bad, 'agentx'));
      expect(reply.status).toBe(200);
      sent.push(...kinds(reply.body.decisions));
      t.clock.advance(1_000);
    }
    expect(sent.slice(0, 4)).toEqual(['first:execute', 'held:budget_exhausted', 'first:cooldown', 'held:budget_exhausted']);
    const [listed] = (await request(t.app).get('/api/self-healing/incidents')).body.items;
    let detail = (await request(t.app).get(`/api/self-healing/incidents/${listed.id}`)).body;
    // The second snapshot names the incident in `held`'s reason (the first said "opened on this snapshot"): a change.
    expect(kinds(detail.decisions)).toEqual(['first:execute', 'held:budget_exhausted', 'held:budget_exhausted', 'first:cooldown']);
    // The repeats are not rows, but the incident was decided on until the last one (noted every 5 s at most).
    const last = Date.parse('2026-03-01T10:00:19Z');
    expect(Date.parse(listed.lastDecisionAt)).toBeGreaterThan(last - 5_000);
    expect(Date.parse(listed.lastDecisionAt)).toBeLessThanOrEqual(last);
    expect(detail.incident.lastDecisionAt).toBe(listed.lastDecisionAt);

    // The cooldown ends: `first` would act again, but the incident's budget holds it back — a change.
    t.clock.advance(61 * 60_000);
    for (let i = 0; i < 3; i += 1) await request(t.app).post('/api/metrics').send(snapshot(bad, 'agentx'));
    detail = (await request(t.app).get(`/api/self-healing/incidents/${listed.id}`)).body;
    expect(kinds(detail.decisions)).toEqual(['first:execute', 'held:budget_exhausted', 'held:budget_exhausted', 'first:cooldown', 'first:budget_exhausted']);
    expect(detail.incident.lastDecisionAt).toBe(t.clock.now().toISOString());
    expect((await t.store.listActions({ incidentId: listed.id, limit: 10 })).items.map((a) => a.rule)).toEqual(['first']);
  });

  it('looks a storm\'s incident up at most every 5 s while its decisions repeat, and opens a new one once another instance resolved it', async () => {
    t = await buildTestApp({ rules: stormRules, config: stormConfig });
    const lookups = jest.spyOn(t.store.incidents, 'openIncident');
    const send = async () => {
      const reply = await request(t.app).post('/api/metrics').send(snapshot(bad, 'agentx'));
      expect(reply.status).toBe(200);
      t.clock.advance(1_000);
      return kinds(reply.body.decisions);
    };
    expect(await send()).toEqual(['first:execute', 'held:budget_exhausted']); // opens the incident (noted now)
    expect(await send()).toEqual(['first:cooldown', 'held:budget_exhausted']); // held's reason changed: looked up
    expect(lookups).toHaveBeenCalledTimes(2);
    for (let i = 0; i < 3; i += 1) await send(); // repeats within 5 s of the note
    expect(lookups).toHaveBeenCalledTimes(2);
    await send(); // 5 s after the note: looked up and noted again
    expect(lookups).toHaveBeenCalledTimes(3);
    const [first] = (await t.store.incidents.listIncidents({ limit: 5 })).items;
    expect(first!.lastDecisionAt).toEqual(new Date(t.clock.now().getTime() - 1_000));
    expect((await t.store.incidents.listDecisions(first!.id, 100)).length).toBe(4);

    // Another instance resolves it: the next snapshot's decisions go to a new incident, not the resolved one.
    await t.store.incidents.resolveIncident(first!.id, t.clock.now(), 'quiet');
    expect(await send()).toEqual(['first:cooldown', 'held:execute']);
    const open = (await t.store.incidents.listIncidents({ limit: 5 })).items.filter((i) => i.state === 'open');
    expect(open.map((i) => i.id)).not.toContain(first!.id);
    expect(open).toHaveLength(1);
    expect(kinds(await t.store.incidents.listDecisions(open[0]!.id, 100))).toEqual(['held:execute', 'first:cooldown']);
    expect((await t.store.incidents.listDecisions(first!.id, 100)).length).toBe(4);
  });

  it('stays open while held-back decisions keep coming past resolveAfterMinutes, and resolves quiet once they stop', async () => {
    t = await buildTestApp({ rules: stormRules, config: { ...stormConfig, incidents: { resolveAfterMinutes: 5 } } });
    await request(t.app).post('/api/metrics').send(snapshot(bad, 'agentx'));
    const [incident] = (await t.store.incidents.listIncidents({ limit: 5 })).items;
    for (let minute = 1; minute <= 12; minute += 1) {
      t.clock.advance(60_000);
      await request(t.app).post('/api/metrics').send(snapshot(bad, 'agentx'));
      await t.services.sweeps.runOnce();
    }
    expect(await t.store.incidents.getIncident(incident!.id)).toMatchObject({ state: 'open', lastDecisionAt: t.clock.now() });
    expect((await t.store.incidents.listDecisions(incident!.id, 100)).length).toBe(4); // as after the second snapshot
    expect((await sweptAfter(t, 4 * 60_000, incident!.id))!.state).toBe('open');
    expect(await sweptAfter(t, 60_000, incident!.id)).toMatchObject({ state: 'resolved', resolution: 'quiet' });
  });

  it('judges an incident stored before lastDecisionAt from its newest decision, past the first thousand', async () => {
    t = await buildTestApp({ rules: stormRules });
    const openedAt = t.clock.now();
    const { incident } = await t.store.incidents.openIncident({
      id: timeOrderedId(openedAt.getTime()), groupKey: 'source=agentx', labels: { source: 'agentx' }, state: 'open', openedAt, createdAt: openedAt, resolvedAt: null, resolution: null,
    });
    const decision = (n: number, at: Date): IncidentDecision => ({
      id: `legacy:${String(n).padStart(5, '0')}`, incidentId: incident.id, at, snapshotId: `snap-${n}`, source: 'agentx', rule: `rule-${n % 7}`, decision: 'cooldown', reason: `in cooldown (${n})`,
    });
    const newest = new Date(openedAt.getTime() + 50 * 60_000);
    await t.store.incidents.addDecisions([...Array.from({ length: 1000 }, (_, n) => decision(n, openedAt)), decision(1000, newest)]);

    // 70 min after the first thousand, 20 after the newest.
    expect((await sweptAfter(t, 70 * 60_000, incident.id))!.state).toBe('open');
    const [listed] = (await request(t.app).get('/api/self-healing/incidents')).body.items;
    expect(listed).toMatchObject({ id: incident.id, state: 'open', lastDecisionAt: newest.toISOString() });

    expect(await sweptAfter(t, 40 * 60_000, incident.id)).toMatchObject({ state: 'resolved', resolution: 'quiet' });
  });
});
