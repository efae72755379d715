import type { Rule } from '../domain/rule';
import type { ProblemDetail } from '../errors';
import { MATCHER_FIELDS, type Matcher, type MatcherField, type SilenceMatchers } from './silence';
import { MAX_REGEX_LENGTH, unsafeRegexReason } from './safe-regex';

export const MAX_MATCHER_VALUE_LENGTH = 200;

/** What a matcher is checked against: the matched rule, its action, its target, the snapshot's source. */
export interface SilenceSubject {
  rule: string;
  type: string;
  /** The budget target of the action (router, prompt, service, throttle); null: none. */
  target: string | null;
  /** The snapshot's source; null when there is none (a manual trigger, simulate by rule name). */
  source: string | null;
  severity: string;
}

/** What a matched rule is matched on: its name, action type and severity, its action's target, the snapshot's source. */
export function subjectOf(rule: Rule, target: string | null, source: string | null): SilenceSubject {
  return { rule: rule.name, type: rule.action.type, target, source, severity: rule.severity };
}

/** Problems with a request's matchers (pointers under `pointer`); empty when they are good. */
export function matcherProblems(matchers: unknown, pointer: string): ProblemDetail[] {
  if (typeof matchers !== 'object' || matchers === null || Array.isArray(matchers)) {
    return [{ pointer, message: 'must be an object of matchers' }];
  }
  const problems: ProblemDetail[] = [];
  const entries = Object.entries(matchers);
  if (entries.length === 0) problems.push({ pointer, message: `must name at least one of ${MATCHER_FIELDS.join(', ')}` });
  for (const [field, value] of entries) {
    const at = `${pointer}/${field}`;
    if (!(MATCHER_FIELDS as readonly string[]).includes(field)) {
      problems.push({ pointer: at, message: `unknown matcher; expected one of ${MATCHER_FIELDS.join(', ')}` });
      continue;
    }
    problems.push(...oneMatcherProblems(value, at));
  }
  return problems;
}

function oneMatcherProblems(value: unknown, at: string): ProblemDetail[] {
  if (typeof value === 'string') {
    if (value.length === 0 || value.length > MAX_MATCHER_VALUE_LENGTH) return [{ pointer: at, message: `must be 1 to ${MAX_MATCHER_VALUE_LENGTH} characters` }];
    return [];
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ pointer: at, message: 'must be an exact value (string) or { "regex": "..." }' }];
  }
  const keys = Object.keys(value);
  const extra = keys.filter((k) => k !== 'regex');
  if (extra.length > 0) return [{ pointer: `${at}/${extra[0]}`, message: 'unknown field; a regex matcher is { "regex": "..." }' }];
  const regex = (value as { regex?: unknown }).regex;
  if (typeof regex !== 'string' || regex.length === 0) return [{ pointer: `${at}/regex`, message: 'must be a non-empty string' }];
  if (regex.length > MAX_REGEX_LENGTH) return [{ pointer: `${at}/regex`, message: `must be at most ${MAX_REGEX_LENGTH} characters` }];
  const unsafe = unsafeRegexReason(regex);
  if (unsafe !== null) return [{ pointer: `${at}/regex`, message: `unsafe regular expression: it ${unsafe}` }];
  try {
    anchored(regex);
  } catch (err) {
    return [{ pointer: `${at}/regex`, message: `not a valid regular expression: ${(err as Error).message}` }];
  }
  return [];
}

function anchored(regex: string): RegExp {
  return new RegExp(`^(?:${regex})$`, 'u');
}

/** Compiled regexes by source: every silence is matched against every acting rule of every snapshot. */
const compiled = new Map<string, RegExp>();
const COMPILED_LIMIT = 1_000;

function regexOf(source: string): RegExp {
  let re = compiled.get(source);
  if (re === undefined) {
    if (compiled.size >= COMPILED_LIMIT) compiled.clear();
    re = anchored(source);
    compiled.set(source, re);
  }
  return re;
}

function matchesValue(matcher: Matcher, value: string | null): boolean {
  if (value === null) return false;
  return typeof matcher === 'string' ? matcher === value : regexOf(matcher.regex).test(value);
}

/** Every matcher given holds for the subject (a field the subject lacks never matches). */
export function matchesSubject(matchers: SilenceMatchers, subject: SilenceSubject): boolean {
  for (const field of MATCHER_FIELDS) {
    const m = matchers[field as MatcherField];
    if (m !== undefined && !matchesValue(m, subject[field])) return false;
  }
  return true;
}
