import { buildEvent } from '../../src/domain/events';
import type { Incident, IncidentDecision } from '../../src/domain/incident';
import { timeOrderedId } from '../../src/domain/time-ordered-id';
import type { Store } from '../../src/store/store';
import { T0, at, minutes } from './fixtures';
import { openStorePerTest, type StoreLocation, storeTargets } from './store-targets';

/** Incidents, run unchanged against every adapter; two stores on one location stand for two instances. */
jest.setTimeout(60_000);

function incident(source: string, openedAt: Date = T0): Incident {
  return { id: timeOrderedId(openedAt.getTime()), groupKey: `source=${source}`, labels: { source }, state: 'open', openedAt, createdAt: openedAt, resolvedAt: null, resolution: null };
}

describe.each(storeTargets())('IncidentStore contract: $name', (target) => {
  let location: StoreLocation;
  let store: Store;
  openStorePerTest(target, (opened, first) => {
    location = opened;
    store = first;
  });

  it('opens exactly one incident per group key, also when two instances open it at once many times over', async () => {
    const other = await location.open();
    const attempts = Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? store : other).incidents.openIncident(incident('agentx')));
    const results = await Promise.all(attempts);
    const ids = new Set(results.map((r) => r.incident.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.opened)).toHaveLength(1);
    expect((await store.incidents.listIncidents({ limit: 10 })).items.map((i) => i.id)).toEqual([...ids]);
    const elsewhere = await other.incidents.openIncident(incident('billing'));
    expect(elsewhere.opened).toBe(true);
    expect(elsewhere.incident.id).not.toBe([...ids][0]);
  });

  it('resolves once, frees the group key for a new incident, and keeps the resolution', async () => {
    const other = await location.open();
    const { incident: first } = await store.incidents.openIncident(incident('agentx'));
    const [a, b] = await Promise.all([store.incidents.resolveIncident(first.id, at(minutes(5)), 'rules_cleared'), other.incidents.resolveIncident(first.id, at(minutes(5)), 'quiet')]);
    expect([a, b].filter((r) => r !== null)).toHaveLength(1);
    const resolved = await store.incidents.getIncident(first.id);
    expect(resolved).toMatchObject({ state: 'resolved', resolvedAt: at(minutes(5)) });
    expect(['rules_cleared', 'quiet']).toContain(resolved!.resolution);
    const next = await other.incidents.openIncident(incident('agentx', at(minutes(6))));
    expect(next).toMatchObject({ opened: true });
    expect(next.incident.id).not.toBe(first.id);
    expect((await store.incidents.listOpenIncidents(10)).map((i) => i.id)).toEqual([next.incident.id]);
  });

  it('lists open first, newest first within each, paginated, filtered by state, source and since', async () => {
    const made: Incident[] = [];
    for (const [i, source] of ['a', 'b', 'c', 'd'].entries()) made.push((await store.incidents.openIncident(incident(source, at(minutes(i))))).incident);
    await store.incidents.resolveIncident(made[3]!.id, at(minutes(10)), 'quiet');
    await store.incidents.resolveIncident(made[1]!.id, at(minutes(10)), 'quiet');
    const order = [made[2], made[0], made[3], made[1]].map((i) => i!.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.incidents.listIncidents({ limit: 1, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(order);
    expect((await store.incidents.listIncidents({ limit: 10, state: 'resolved' })).items.map((i) => i.id)).toEqual([made[3]!.id, made[1]!.id]);
    expect((await store.incidents.listIncidents({ limit: 10, source: 'c' })).items.map((i) => i.id)).toEqual([made[2]!.id]);
    expect((await store.incidents.listIncidents({ limit: 10, since: at(minutes(2)) })).items.map((i) => i.id)).toEqual([made[2]!.id, made[3]!.id]);
  });

  it('keeps decisions oldest first, a retried batch once', async () => {
    const { incident: open } = await store.incidents.openIncident(incident('agentx'));
    const decision = (rule: string, minute: number, extra: Partial<IncidentDecision> = {}): IncidentDecision => ({
      id: `${open.id}:${rule}:${minute}`,
      incidentId: open.id,
      at: at(minutes(minute)),
      snapshotId: 'snap-1',
      source: 'agentx',
      rule,
      decision: 'execute',
      reason: 'runs model_failover now',
      ...extra,
    });
    const batch = [decision('failover', 0, { actionId: 'act-1' }), decision('throttle', 0, { decision: 'inhibited', inhibitedBy: { rule: 'failover', actionId: 'act-1' }, reason: 'inhibited' })];
    await store.incidents.addDecisions(batch);
    await store.incidents.addDecisions([decision('failover', 1, { decision: 'cooldown' }), ...batch]);
    const listed = await store.incidents.listDecisions(open.id, 10);
    expect(listed.map((d) => `${d.rule}:${d.decision}`)).toEqual(['failover:execute', 'throttle:inhibited', 'failover:cooldown']);
    expect(listed[1]).toEqual(batch[1]);
  });

  it('reads the newest decisions newest first, and every rule however many decisions there are', async () => {
    const { incident: open } = await store.incidents.openIncident(incident('agentx'));
    const decision = (rule: string, minute: number): IncidentDecision => ({
      id: `${open.id}:${String(minute).padStart(3, '0')}:${rule}`, incidentId: open.id, at: at(minutes(minute)), snapshotId: `snap-${minute}`, source: 'agentx', rule, decision: 'cooldown', reason: `in cooldown (${minute})`,
    });
    await store.incidents.addDecisions([decision('old', 0), ...Array.from({ length: 8 }, (_, i) => decision('busy', i + 1)), decision('late', 20)]);
    expect((await store.incidents.listDecisions(open.id, 2, 'newest')).map((d) => `${d.rule}:${d.at.toISOString()}`)).toEqual([`late:${at(minutes(20)).toISOString()}`, `busy:${at(minutes(8)).toISOString()}`]);
    expect((await store.incidents.listDecisions(open.id, 1)).map((d) => d.rule)).toEqual(['old']);
    expect((await store.incidents.decisionRules(open.id)).sort()).toEqual(['busy', 'late', 'old']);
  });

  it('moves lastDecisionAt forward only, from two instances, and keeps it through the resolution', async () => {
    const other = await location.open();
    const { incident: open } = await store.incidents.openIncident({ ...incident('agentx'), lastDecisionAt: T0 });
    expect((await other.incidents.getIncident(open.id))!.lastDecisionAt).toEqual(T0);
    await Promise.all([store.incidents.noteDecisionAt(open.id, at(minutes(3))), other.incidents.noteDecisionAt(open.id, at(minutes(2)))]);
    await other.incidents.noteDecisionAt(open.id, at(minutes(1))); // older: no move back
    expect((await store.incidents.getIncident(open.id))!.lastDecisionAt).toEqual(at(minutes(3)));
    expect((await store.incidents.listOpenIncidents(5))[0]!.lastDecisionAt).toEqual(at(minutes(3)));
    const resolved = await other.incidents.resolveIncident(open.id, at(minutes(9)), 'quiet');
    expect(resolved).toMatchObject({ state: 'resolved', lastDecisionAt: at(minutes(3)) });
    expect((await store.incidents.listIncidents({ limit: 5 })).items[0]).toMatchObject({ state: 'resolved', lastDecisionAt: at(minutes(3)) });
    // One stored before the field existed has none; the first note gives it one.
    const { incident: legacy } = await store.incidents.openIncident(incident('billing'));
    expect((await store.incidents.getIncident(legacy.id))!.lastDecisionAt).toBeUndefined();
    await store.incidents.noteDecisionAt(legacy.id, at(minutes(4)));
    expect((await store.incidents.getIncident(legacy.id))!.lastDecisionAt).toEqual(at(minutes(4)));
  });

  it('tells each change once across instances, committing its event with the record', async () => {
    const other = await location.open();
    const { incident: open } = await store.incidents.openIncident(incident('agentx'));
    const event = buildEvent('incident.opened', T0, { data: { incidentId: open.id } });
    const told = await Promise.all([store.incidents.recordNotice(open.id, 'opened', event), other.incidents.recordNotice(open.id, 'opened', { ...event, id: 'another' })]);
    expect(told.filter(Boolean)).toHaveLength(1);
    expect(await store.incidents.notices(open.id)).toEqual(['opened']);
    const pending = await store.committedEvents.pending(10);
    expect(pending.filter((p) => p.event.type === 'incident.opened')).toHaveLength(1);
  });
});
