import type { Clock } from '../clock';
import type { IncidentsConfig } from '../config/sections/incidents';
import type { ActionRecord, Page } from '../domain/action';
import { type DecisionKind, dispatchedAction, type InhibitedBy } from '../domain/decision';
import { buildEvent, type NotificationEvent } from '../domain/events';
import { groupKeyOf, type Incident, type IncidentDecision, type IncidentQuery, type IncidentResolution } from '../domain/incident';
import type { Rule } from '../domain/rule';
import { timeOrderedId } from '../domain/time-ordered-id';
import type { Logger } from '../logging/logger';
import type { OpenedIncident } from '../store/incident-store';
import type { Store } from '../store/store';
import { incidentSummary } from './incident-summary';
import { RecordedDecisions } from './recorded-decisions';

/** A decision about a matched rule as the pipeline applied it. */
export interface DecidedRule {
  rule: Rule;
  decision: DecisionKind | 'shadow';
  reason: string;
  actionId?: string;
  status?: ActionRecord['status'];
  until?: string;
  target?: string;
  inhibitedBy?: InhibitedBy;
}

/** Where the decisions came from: a snapshot (its id and source), or a trigger (neither). */
export interface IncidentOrigin {
  snapshotId: string | null;
  source: string | null;
  at: Date;
}

export interface IncidentServiceDeps {
  store: Store;
  config: IncidentsConfig;
  clock: Clock;
  logger: Logger;
  /** Where a rule's notices go besides the log (the rules service's channelsFor). */
  channelsFor: (rule: string) => string[];
  /** The target a rule's action acts on (the budget target), for the `target` label. */
  targetOf: (rule: Rule) => string | null;
  /** Of these rules, the names of those that match these metrics now (the service's evaluate). */
  stillMatching: (rules: string[], metrics: Record<string, unknown>) => Promise<string[]>;
  /** Tells the notifier (log, outbox, console) of a notice committed with its record. */
  notify: (event: NotificationEvent) => void;
}

/**
 * Decisions that open or join an incident: what acted, and what was held back from acting (a
 * silence, an inhibition, a spent budget). Cooldowns, open approvals, the pause and shadow rules
 * join one only beside such a decision of the same group on the same snapshot.
 */
const GROUPING: ReadonlySet<string> = new Set(['execute', 'require_approval', 'inhibited', 'silenced', 'budget_exhausted']);

/** Whether a decision of this kind opens or joins an incident (a storm of cooldowns does not even look). */
export function groupsIncident(kind: string): boolean {
  return GROUPING.has(kind);
}


/**
 * Per-rule events that are an incident change worth an `incident.updated` notice once it has been
 * opened: what went wrong. A success is told by the next notice (and the resolution), not on its own.
 */
const CHANGES: ReadonlySet<string> = new Set(['action.failed', 'action.rejected', 'action.expired', 'action.ineffective']);

/**
 * An alert the service raised itself, not an action's (whose own events tell the incident): with
 * `incidents.notify: incident` its `alert.created` reaches no webhook, so the incident tells it.
 */
function serviceAlert(event: NotificationEvent): boolean {
  return event.type === 'alert.created' && (event.data.actionId ?? null) === null;
}

const DECISIONS_READ = 1000;
const MAX_SOURCES_PER_RULE = 1000;

/** The labels a decision groups by, and their key. */
export interface Group {
  labels: Record<string, string>;
  groupKey: string;
}
const OPEN_SWEEP_LIMIT = 200;

/**
 * Incidents: groups what one cause sets off (docs/incidents.md). The pipeline opens a scope per
 * snapshot: a dispatch joins (or opens) the incident of its group key before its action is stored,
 * so the action carries `incidentId`; the snapshot's decisions are recorded after. Notices go out one
 * per incident and change: `incident.opened` once the group wait has passed, `incident.updated` for
 * an action taken or finished afterwards, `incident.resolved`.
 */
export class IncidentService {
  /** What this instance recorded, so that a storm's repeated decisions cost no write. */
  readonly recorded = new RecordedDecisions();
  private readonly groups = new WeakMap<Rule, Map<string, Group>>();

  constructor(private readonly deps: IncidentServiceDeps) {}

  /** The labels of a decision about `rule` on a snapshot of `source`. */
  labelsOf(rule: Rule, source: string | null, target: string | null): Record<string, string> {
    const all: Record<string, string> = { source: source ?? '', target: target ?? '', rule: rule.name, type: rule.action.type, severity: rule.severity };
    return Object.fromEntries(this.deps.config.groupBy.map((l) => [l, all[l]!]));
  }

  /** The group key a decision about `rule` on a snapshot of `source` joins. */
  groupKeyOf(rule: Rule, source: string | null): string {
    return this.groupOf(rule, source).groupKey;
  }

  /**
   * The group (labels and key) a decision about `rule` on a snapshot of `source` joins, worked out
   * once per rule as loaded and source rather than for each of a storm's decisions on every snapshot.
   */
  groupOf(rule: Rule, source: string | null): Group {
    let bySource = this.groups.get(rule);
    if (!bySource) this.groups.set(rule, (bySource = new Map()));
    let group = bySource.get(source ?? '');
    if (!group) {
      const labels = this.labelsOf(rule, source, this.deps.targetOf(rule));
      group = { labels, groupKey: groupKeyOf(labels, this.deps.config.groupBy) };
      if (bySource.size >= MAX_SOURCES_PER_RULE) bySource.clear(); // sources come from clients: bounded
      bySource.set(source ?? '', group);
    }
    return group;
  }

  scope(origin: IncidentOrigin): IncidentScope {
    return new IncidentScope(this, this.deps, origin);
  }

  async get(id: string): Promise<Incident | null> {
    const incident = await this.deps.store.incidents.getIncident(id);
    return incident && { ...incident, lastDecisionAt: await this.lastDecisionAt(incident) };
  }

  async list(query: IncidentQuery): Promise<Page<Incident>> {
    const page = await this.deps.store.incidents.listIncidents(query);
    return { ...page, items: await Promise.all(page.items.map(async (i) => ({ ...i, lastDecisionAt: await this.lastDecisionAt(i) }))) };
  }

  /**
   * When it was last decided on. An incident stored before `lastDecisionAt` was kept has its newest
   * decision's time instead (the newest: an incident may hold more decisions than any one read).
   */
  private async lastDecisionAt(incident: Incident): Promise<Date> {
    if (incident.lastDecisionAt) return incident.lastDecisionAt;
    const [newest] = await this.deps.store.incidents.listDecisions(incident.id, 1, 'newest');
    return newest && newest.at > incident.openedAt ? newest.at : incident.openedAt;
  }

  /** An incident with everything it grouped, as a timeline (GET /incidents/:id). */
  async detail(incident: Incident) {
    const { store } = this.deps;
    const [decisions, actions, alerts, notices] = await Promise.all([
      store.incidents.listDecisions(incident.id, DECISIONS_READ),
      store.listActions({ incidentId: incident.id, limit: 500 }),
      store.listAlerts({ incidentId: incident.id, limit: 500 }),
      store.incidents.notices(incident.id),
    ]);
    return incidentSummary(incident, decisions, actions.items, alerts.items, notices);
  }

  /**
   * Sends the `incident.opened` notice once the group wait has passed, with everything the incident
   * grouped by then; true when this call sent it.
   */
  async announceOpened(incident: Incident): Promise<boolean> {
    const summary = await this.detail(incident);
    const event = buildEvent('incident.opened', this.deps.clock.now(), {
      incidentId: incident.id,
      severity: worstSeverity(summary.actions),
      channels: this.channelsOf(summary.rules),
      data: noticeData(summary, 'opened'),
    });
    return this.tell(incident.id, 'opened', event);
  }

  /** A change of an opened incident: one `incident.updated` notice per change key. */
  async announceChange(incident: Incident, change: string, what: Record<string, unknown>): Promise<boolean> {
    if (!(await this.deps.store.incidents.notices(incident.id)).includes('opened')) return false; // the opened notice will say it
    const summary = await this.detail(incident);
    const event = buildEvent('incident.updated', this.deps.clock.now(), {
      incidentId: incident.id,
      severity: worstSeverity(summary.actions),
      channels: this.channelsOf(summary.rules),
      data: { ...noticeData(summary, 'updated'), change: what },
    });
    return this.tell(incident.id, change, event);
  }

  /** Resolves an open incident and tells it once; false when it was resolved already. */
  async resolve(incident: Incident, resolution: IncidentResolution): Promise<boolean> {
    const resolved = await this.deps.store.incidents.resolveIncident(incident.id, this.deps.clock.now(), resolution);
    this.recorded.forget(incident.id);
    if (!resolved) return false;
    const summary = await this.detail(resolved);
    const event = buildEvent('incident.resolved', this.deps.clock.now(), {
      incidentId: resolved.id,
      severity: worstSeverity(summary.actions),
      channels: this.channelsOf(summary.rules),
      data: noticeData(summary, 'resolved'),
    });
    await this.tell(resolved.id, 'resolved', event);
    return true;
  }

  /**
   * The periodic work (on the lease holder): the opened notice of incidents past their group wait,
   * and resolution — none of its rules matching the group's newest snapshot, or nothing new for
   * resolveAfterMinutes. Both are judged from when it was last decided on, which lags the last
   * decision by at most NOTE_EVERY_MS (a repeat is not written every time).
   */
  async sweep(): Promise<void> {
    const now = this.deps.clock.now();
    const { groupWaitSeconds, resolveAfterMinutes } = this.deps.config;
    for (const incident of await this.deps.store.incidents.listOpenIncidents(OPEN_SWEEP_LIMIT)) {
      const lastAt = (await this.lastDecisionAt(incident)).getTime();
      if (now.getTime() - incident.openedAt.getTime() >= groupWaitSeconds * 1000) await this.announceOpened(incident);
      if (await this.rulesCleared(incident, lastAt)) {
        await this.resolve(incident, 'rules_cleared');
      } else if (now.getTime() - lastAt >= resolveAfterMinutes * 60_000) {
        await this.resolve(incident, 'quiet');
      }
    }
  }

  /** A snapshot of the incident's source after its last decision on which none of its rules match. */
  private async rulesCleared(incident: Incident, lastAt: number): Promise<boolean> {
    const source = incident.labels.source;
    if (!source) return false;
    const latest = await this.deps.store.latestSnapshotFrom(source, new Date(lastAt));
    if (!latest) return false;
    const rules = await this.deps.store.incidents.decisionRules(incident.id);
    if (rules.length === 0) return false;
    return (await this.deps.stillMatching(rules, latest.metrics)).length === 0;
  }

  /**
   * An event of an incident's action, from the notifier: a change worth telling once the incident
   * was opened, and, when a verdict made every verified action effective, the resolution.
   */
  async onEvent(event: NotificationEvent): Promise<void> {
    if (!event.incidentId) return;
    const action = event.action;
    if (!action) {
      // The service's own alert in the incident (a spent budget holding it back): a change, told once.
      if (!serviceAlert(event)) return;
      const incident = await this.openById(event.incidentId);
      if (incident) await this.announceChange(incident, `alert.created:${String(event.data.alertId)}`, { event: event.type, data: event.data });
      return;
    }
    const incident = await this.openById(event.incidentId);
    if (!incident) return;
    if (CHANGES.has(event.type)) {
      await this.announceChange(incident, `${event.type}:${action.id}`, { event: event.type, action, data: event.data });
    }
    if (event.type === 'action.verified' && (await this.allEffective(incident))) await this.resolve(incident, 'actions_effective');
  }

  /** The incident, while it is open; null once resolved (or unknown). */
  async openById(id: string): Promise<Incident | null> {
    const incident = await this.deps.store.incidents.getIncident(id);
    return incident && incident.state === 'open' ? incident : null;
  }

  /** Every action of it is done, at least one was verified, and every verified one was effective. */
  private async allEffective(incident: Incident): Promise<boolean> {
    const { items } = await this.deps.store.listActions({ incidentId: incident.id, limit: 500 });
    const verified = items.filter((a) => a.verify !== undefined && a.revertOf === undefined);
    if (verified.length === 0) return false;
    const done = items.every((a) => !['pending_approval', 'approved', 'running'].includes(a.status));
    return done && verified.every((a) => a.outcome === 'effective');
  }

  /** Records and sends a notice; true for the first teller only. */
  private async tell(incidentId: string, change: string, event: NotificationEvent): Promise<boolean> {
    const told = await this.deps.store.incidents.recordNotice(incidentId, change, event);
    if (told) this.deps.notify(event);
    return told;
  }

  private channelsOf(rules: string[]): string[] {
    return [...new Set(['log', ...rules.flatMap((r) => this.deps.channelsFor(r))])];
  }

  /** Logged, never thrown into the pipeline: grouping must not stop a remediation. */
  failed(what: string, err: unknown): void {
    this.deps.logger.error(`incidents: ${what}`, { error: err instanceof Error ? err.message : String(err) });
  }
}

/**
 * The incidents of one snapshot (or trigger). A group's incident is found or opened once per scope,
 * however many of its rules dispatch.
 */
export class IncidentScope {
  private readonly byKey = new Map<string, Promise<OpenedIncident | null>>();

  constructor(
    private readonly service: IncidentService,
    private readonly deps: IncidentServiceDeps,
    readonly origin: IncidentOrigin,
  ) {}

  /**
   * The incident a dispatch of `rule` on `target` joins (opened when none is open), and a budget alert
   * of its held decision; null when the store failed.
   */
  async incidentFor(rule: Rule, target: string | null): Promise<Incident | null> {
    const labels = this.service.labelsOf(rule, this.origin.source, target);
    return (await this.opened({ labels, groupKey: groupKeyOf(labels, this.deps.config.groupBy) }))?.incident ?? null;
  }

  /** The group's incident, found or opened once per scope. */
  private opened({ labels, groupKey }: Group): Promise<OpenedIncident | null> {
    let found = this.byKey.get(groupKey);
    if (!found) {
      const at = this.origin.at;
      const candidate: Incident = { id: timeOrderedId(at.getTime()), groupKey, labels, state: 'open', openedAt: at, createdAt: at, resolvedAt: null, resolution: null, lastDecisionAt: at };
      found = this.deps.store.incidents.openIncident(candidate).then(
        (opened) => {
          this.service.recorded.found(groupKey, opened.incident.id);
          return opened;
        },
        (err: unknown) => {
          this.service.failed(`could not open the incident of ${groupKey}`, err);
          return null;
        },
      );
      this.byKey.set(groupKey, found);
    }
    return found;
  }

  /**
   * Records the snapshot's decisions with their incidents and tells what changed: the opened notice
   * at once when there is no group wait, an action taken on an incident opened earlier.
   */
  async record(decided: DecidedRule[]): Promise<void> {
    try {
      // The incidents first — opened by the decisions that group, in their order — then the decisions
      // with them, without waiting on each one: a storm has hundreds.
      const groups = decided.map((d) => this.service.groupOf(d.rule, this.origin.source));
      if (this.repeatsOnly(decided, groups)) return;
      const incidents = new Map<string, Incident>();
      for (const [i, d] of decided.entries()) {
        if (!GROUPING.has(d.decision)) continue;
        const opened = await this.opened(groups[i]!);
        if (opened) incidents.set(groups[i]!.groupKey, opened.incident);
      }
      const entries: IncidentDecision[] = [];
      const decidedOn = new Set<string>();
      const dispatchedIn = new Map<string, DecidedRule[]>();
      let n = 0;
      const add = (d: DecidedRule, group: Group) => {
        const incident = incidents.get(group.groupKey);
        if (!incident) return;
        decidedOn.add(incident.id);
        const position = n++;
        if (!this.service.recorded.repeats(incident.id, d.rule.name, d)) entries.push(entryOf(incident.id, d, this.origin, position));
        if (dispatchedAction(d)) dispatchedIn.set(incident.id, [...(dispatchedIn.get(incident.id) ?? []), d]);
      };
      for (const [i, d] of decided.entries()) if (GROUPING.has(d.decision)) add(d, groups[i]!);
      for (const [i, d] of decided.entries()) if (!GROUPING.has(d.decision)) add(d, groups[i]!);
      if (decidedOn.size === 0) return;
      if (entries.length > 0) {
        await this.deps.store.incidents.addDecisions(entries.sort((a, b) => a.id.localeCompare(b.id)));
        this.service.recorded.recorded(entries);
      }
      await this.noteActivity(decidedOn);
      for (const found of this.byKey.values()) {
        const opened = await found;
        if (!opened) continue;
        if (opened.opened && this.deps.config.groupWaitSeconds === 0) await this.service.announceOpened(opened.incident);
        const dispatched = dispatchedIn.get(opened.incident.id);
        if (!opened.opened && dispatched) {
          await this.service.announceChange(opened.incident, `snapshot:${this.origin.snapshotId ?? this.origin.at.toISOString()}`, {
            event: 'actions_taken',
            actions: dispatched.map((d) => ({ rule: d.rule.name, actionId: d.actionId, decision: d.decision, status: d.status })),
          });
        }
      }
    } catch (err) {
      this.service.failed('could not record the decisions of a snapshot', err);
    }
  }

  /**
   * Nothing to write: nothing was dispatched on this snapshot, and every decision repeats what was
   * recorded last in its group's incident, which this instance found open and noted less than
   * NOTE_EVERY_MS ago. A storm's snapshots end here without looking their incidents up.
   */
  private repeatsOnly(decided: DecidedRule[], groups: Group[]): boolean {
    if (this.byKey.size > 0) return false;
    const at = this.origin.at.getTime();
    const incidentOf = new Map<string, string>();
    for (let i = 0; i < decided.length; i++) {
      const d = decided[i]!;
      const key = groups[i]!.groupKey;
      if (!GROUPING.has(d.decision) || incidentOf.has(key)) continue;
      const id = this.service.recorded.recentIncidentOf(key, at);
      if (id === undefined) return false;
      incidentOf.set(key, id);
    }
    if (incidentOf.size === 0) return false;
    for (let i = 0; i < decided.length; i++) {
      const d = decided[i]!;
      const id = incidentOf.get(groups[i]!.groupKey);
      if (id === undefined) continue;
      if (dispatchedAction(d)) return false;
      if (!this.service.recorded.repeats(id, d.rule.name, d)) return false;
    }
    return true;
  }

  /** Moves the decided-on incidents' `lastDecisionAt` to this instant, each at most every NOTE_EVERY_MS. */
  private async noteActivity(incidentIds: Set<string>): Promise<void> {
    const at = this.origin.at;
    for (const found of this.byKey.values()) {
      const opened = await found;
      if (!opened || !incidentIds.has(opened.incident.id)) continue;
      const id = opened.incident.id;
      if (!this.service.recorded.dueToNote(id, at.getTime())) continue;
      // One opened here was stored with lastDecisionAt = this instant already.
      if (!opened.opened) await this.deps.store.incidents.noteDecisionAt(id, at);
      this.service.recorded.noted(id, at.getTime());
    }
  }
}

function entryOf(incidentId: string, d: DecidedRule, origin: IncidentOrigin, n: number): IncidentDecision {
  const entry: IncidentDecision = {
    // Ordered as decided (priority order) within the snapshot's instant.
    id: `${origin.snapshotId ?? `trigger-${origin.at.getTime()}`}:${String(n).padStart(4, '0')}:${d.rule.name}`,
    incidentId,
    at: origin.at,
    snapshotId: origin.snapshotId,
    source: origin.source,
    rule: d.rule.name,
    decision: d.decision,
    reason: d.reason,
  };
  if (d.actionId) entry.actionId = d.actionId;
  if (d.until) entry.until = d.until;
  if (d.target) entry.target = d.target;
  if (d.inhibitedBy) entry.inhibitedBy = d.inhibitedBy;
  return entry;
}

const SEVERITY_RANK = { info: 0, warning: 1, critical: 2 } as const;

function worstSeverity(actions: { severity: keyof typeof SEVERITY_RANK }[]): keyof typeof SEVERITY_RANK {
  return actions.reduce<keyof typeof SEVERITY_RANK>((worst, a) => (SEVERITY_RANK[a.severity] > SEVERITY_RANK[worst] ? a.severity : worst), 'warning');
}

/** What a notice carries: the incident, its rules, decisions and actions as they stand (docs/n8n.md). */
function noticeData(summary: ReturnType<typeof incidentSummary>, change: 'opened' | 'updated' | 'resolved'): Record<string, unknown> {
  return {
    change,
    incident: noticeIncident(summary.incident),
    rules: summary.rules,
    decisions: summary.decisions.map((d) => ({ at: d.at, rule: d.rule, decision: d.decision, reason: d.reason, ...(d.actionId ? { actionId: d.actionId } : {}), ...(d.inhibitedBy ? { inhibitedBy: d.inhibitedBy } : {}) })),
    actions: summary.actions,
    alerts: summary.alerts,
  };
}

/** The incident as notices have always carried it: `lastDecisionAt` is for the API, not a change to tell. */
function noticeIncident({ lastDecisionAt: _lastDecisionAt, ...incident }: ReturnType<typeof incidentSummary>['incident']) {
  return incident;
}
