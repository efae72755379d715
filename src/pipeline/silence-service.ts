import type { Page } from '../domain/action';
import { buildEvent } from '../domain/events';
import { timeOrderedId } from '../domain/time-ordered-id';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { inForceAt } from '../silences/in-force';
import { parseSilenceRequest } from '../silences/silence-input';
import { type Silence, type SilenceState, silenceState } from '../silences/silence';
import type { PipelineDeps } from '../execution/pipeline-deps';

/** A silence as the API shows it: with its state, and whether it holds right now (schedule included). */
export interface SilenceView extends Omit<Silence, 'startsAt' | 'endsAt' | 'createdAt' | 'expiredAt'> {
  startsAt: string;
  endsAt: string;
  createdAt: string;
  expiredAt: string | null;
  state: SilenceState;
  inForce: boolean;
}

export function silenceView(s: Silence, now: Date): SilenceView {
  return {
    ...s,
    startsAt: s.startsAt.toISOString(),
    endsAt: s.endsAt.toISOString(),
    createdAt: s.createdAt.toISOString(),
    expiredAt: s.expiredAt?.toISOString() ?? null,
    state: silenceState(s, now),
    inForce: inForceAt(s, now.getTime()),
  };
}

/**
 * Silences (maintenance windows): create, read, expire. Kept in the store, so every instance honours
 * the same ones; each change is announced (`silence.created`, `silence.expired`) in the same write.
 */
export class SilenceService {
  constructor(private readonly deps: Pick<PipelineDeps, 'store' | 'clock' | 'logger' | 'notifier'>) {}

  async create(body: unknown, by: string): Promise<SilenceView> {
    const now = this.deps.clock.now();
    const { draft, problems } = parseSilenceRequest(body, now);
    if (draft === null) throw new ValidationError('silence is invalid', problems);
    const silence: Silence = { id: timeOrderedId(now.getTime()), ...draft, createdAt: now, createdBy: by, expiredAt: null, expiredBy: null };
    const view = silenceView(silence, now);
    const event = buildEvent('silence.created', now, { data: { silence: view } });
    await this.deps.store.silences.insertSilence(silence, [event]);
    this.deps.logger.info('silence created', { id: silence.id, by, endsAt: view.endsAt });
    this.deps.notifier.notify(event);
    return view;
  }

  async get(id: string): Promise<SilenceView> {
    const silence = await this.deps.store.silences.getSilence(id);
    if (!silence) throw new NotFoundError(`no silence with id "${id}"`);
    return silenceView(silence, this.deps.clock.now());
  }

  async list(query: { limit: number; cursor?: string; state?: SilenceState }): Promise<Page<SilenceView>> {
    const now = this.deps.clock.now();
    const page = await this.deps.store.silences.listSilences({ ...query, now });
    return { items: page.items.map((s) => silenceView(s, now)), nextCursor: page.nextCursor };
  }

  /** Expires it now (it stays, with who and when); one that has ended or was expired is a 409. */
  async expire(id: string, by: string): Promise<SilenceView> {
    const now = this.deps.clock.now();
    let announced: ReturnType<typeof buildEvent> | null = null;
    const outcome = await this.deps.store.silences.expireSilence(id, by, now, (expired) => {
      announced = buildEvent('silence.expired', now, { data: { silence: silenceView(expired, now) } });
      return [announced];
    });
    if (!outcome.ok && outcome.reason === 'not_found') throw new NotFoundError(`no silence with id "${id}"`);
    if (!outcome.ok) {
      const s = outcome.silence;
      const how = s.expiredAt ? `was expired by ${s.expiredBy ?? 'someone'} at ${s.expiredAt.toISOString()}` : `ended at ${s.endsAt.toISOString()}`;
      throw new ConflictError(`silence ${id} is already over: it ${how}`, { silence: silenceView(s, now) }, 'silence_expired');
    }
    this.deps.logger.info('silence expired', { id, by });
    if (announced) this.deps.notifier.notify(announced);
    return silenceView(outcome.silence, now);
  }
}
