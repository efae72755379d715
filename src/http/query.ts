import { parseDateTime } from '../domain/date-time';
import type { Request } from 'express';
import { ValidationError, type ProblemDetail } from '../errors';
import { decodeCursor } from '../domain/cursor';

/**
 * Reads query parameters strictly: unknown names, repeated values and bad formats are collected and
 * reported together as one 400.
 */
export class QueryReader<Name extends string = string> {
  readonly problems: ProblemDetail[] = [];

  constructor(
    private readonly req: Request,
    allowed: readonly Name[],
  ) {
    for (const name of Object.keys(req.query)) {
      if (!(allowed as readonly string[]).includes(name)) this.problems.push({ pointer: `/query/${name}`, message: 'is not a known parameter' });
    }
  }

  string(name: Name, pattern?: RegExp, maxLength = 200): string | undefined {
    const raw = this.req.query[name];
    if (raw === undefined) return undefined;
    if (typeof raw !== 'string') {
      this.problems.push({ pointer: `/query/${name}`, message: 'must be given once, as a plain value' });
      return undefined;
    }
    if (raw.length === 0 || raw.length > maxLength || (pattern && !pattern.test(raw))) {
      this.problems.push({ pointer: `/query/${name}`, message: `is not a valid value: ${JSON.stringify(raw.slice(0, 100))}` });
      return undefined;
    }
    return raw;
  }

  enumList<T extends string>(name: Name, allowed: readonly T[]): T[] | undefined {
    const raw = this.string(name, undefined, 500);
    if (raw === undefined) return undefined;
    const values = raw.split(',');
    const bad = values.filter((v) => !allowed.includes(v as T));
    if (bad.length > 0) {
      this.problems.push({ pointer: `/query/${name}`, message: `must be among ${allowed.join(', ')} (got ${bad.join(', ')})` });
      return undefined;
    }
    return values as T[];
  }

  oneOf<T extends string>(name: Name, allowed: readonly T[]): T | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (!allowed.includes(raw as T)) {
      this.problems.push({ pointer: `/query/${name}`, message: `must be one of ${allowed.join(', ')}` });
      return undefined;
    }
    return raw as T;
  }

  boolean(name: Name): boolean | undefined {
    const raw = this.oneOf(name, ['true', 'false'] as const);
    return raw === undefined ? undefined : raw === 'true';
  }

  date(name: Name): Date | undefined {
    const raw = this.string(name, undefined, 64);
    if (raw === undefined) return undefined;
    const date = parseDateTime(raw);
    if (date === null) {
      this.problems.push({ pointer: `/query/${name}`, message: 'must be an RFC 3339 date-time that exists (2026-03-01T10:00:00Z; no leap second, no February 30)' });
      return undefined;
    }
    return date;
  }

  limit(this: QueryReader<'limit'>, defaultLimit = 50, max = 500): number {
    const raw = this.string('limit', /^\d+$/, 6);
    if (raw === undefined) return defaultLimit;
    const n = Number(raw);
    if (n < 1 || n > max) {
      this.problems.push({ pointer: '/query/limit', message: `must be between 1 and ${max}` });
      return defaultLimit;
    }
    return n;
  }

  cursor(this: QueryReader<'cursor'>): string | undefined {
    const raw = this.string('cursor', /^[A-Za-z0-9_-]+$/, 200);
    if (raw !== undefined && !decodeCursor(raw)) {
      this.problems.push({ pointer: '/query/cursor', message: 'is not a cursor this service issued' });
      return undefined;
    }
    return raw;
  }

  /** Throws one 400 naming every problem found so far. */
  done(): void {
    if (this.problems.length > 0) throw new ValidationError('query parameters are invalid', this.problems);
  }
}

/** What every ingest route (snapshot, batch, Alertmanager, n8n) reads from its query, strictly. */
export interface IngestQuery {
  /** `?wait=true`: wait for executed actions' outcomes. */
  wait: boolean;
  /** `?decisions=acted`: list only the decisions that did something. */
  decisions: 'all' | 'acted';
}

/** `query` is the route's own reader (readQuery), so the names are the ones the route declares. */
export function readIngestQuery(query: QueryReader<'wait' | 'decisions'>): IngestQuery {
  const wait = query.boolean('wait') ?? false;
  const decisions = query.oneOf('decisions', ['all', 'acted'] as const) ?? 'all';
  query.done();
  return { wait, decisions };
}
