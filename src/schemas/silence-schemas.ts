import { SCHEMA_BASE, REPLY_BASE as R, dateTime, nullableString } from './shared-schemas';
import { MATCHER_FIELDS, SILENCE_STATES, WEEKDAYS } from '../silences/silence';


const matcher = {
  anyOf: [
    { type: 'string', minLength: 1, maxLength: 200, description: 'Exact value.' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['regex'],
      properties: { regex: { type: 'string', minLength: 1, maxLength: 200, description: 'Anchored (the whole value must match); no nested quantifiers, back-references or look-arounds.' } },
    },
  ],
} as const;

const matchers = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  description: 'At least one; every one given must match: the rule name, its action type, its budget target (router, prompt, service, throttle), the snapshot source, the rule severity.',
  properties: Object.fromEntries(MATCHER_FIELDS.map((f) => [f, matcher])) as Record<(typeof MATCHER_FIELDS)[number], typeof matcher>,
} as const;

const schedule = {
  type: 'object',
  additionalProperties: false,
  required: ['timeZone'],
  description: 'Recurring: the silence holds only on these weekdays and within this daily range, on the wall clock of `timeZone`. A range past midnight belongs to the day it starts on.',
  properties: {
    timeZone: { type: 'string', minLength: 1, maxLength: 64, description: 'An IANA time zone name, e.g. `Europe/Berlin`.' },
    weekdays: {
      type: 'array',
      minItems: 1,
      maxItems: 7,
      items: { type: 'string', maxLength: 7, description: '`mon` … `sun`, or a range such as `mon-fri` (`fri-mon` wraps the weekend).' },
    },
    times: {
      type: 'object',
      additionalProperties: false,
      required: ['start', 'end'],
      properties: { start: { type: 'string', maxLength: 5, description: 'HH:MM' }, end: { type: 'string', maxLength: 5, description: 'HH:MM (24:00: end of day)' } },
    },
  },
} as const;

/** Body of POST /api/self-healing/silences (docs/incidents.md). */
export const silenceRequestSchema = {
  $id: `${SCHEMA_BASE}/silence-request.json`,
  type: 'object',
  additionalProperties: false,
  required: ['matchers', 'endsAt', 'comment'],
  properties: {
    matchers,
    startsAt: { ...dateTime, description: 'Default: now.' },
    endsAt: { ...dateTime, description: 'Later than startsAt and now; at most 366 days after startsAt.' },
    comment: { type: 'string', minLength: 1, maxLength: 1000 },
    schedule,
  },
} as const;

export const silenceSchema = {
  $id: `${R}/silence.json`,
  title: 'Silence',
  description: 'A maintenance window: matched rules that would act are decided `silenced` while it is in force. Never deleted; DELETE expires it.',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'matchers', 'startsAt', 'endsAt', 'comment', 'schedule', 'createdAt', 'createdBy', 'expiredAt', 'expiredBy', 'state', 'inForce'],
  properties: {
    id: { type: 'string' },
    matchers,
    startsAt: dateTime,
    endsAt: dateTime,
    comment: { type: 'string' },
    schedule: {
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['timeZone', 'weekdays', 'times'],
          properties: {
            timeZone: { type: 'string' },
            weekdays: { anyOf: [{ type: 'null' }, { type: 'array', items: { enum: [...WEEKDAYS] } }], description: 'Expanded, Monday first; null: every day.' },
            times: {
              anyOf: [
                { type: 'null' },
                { type: 'object', additionalProperties: false, required: ['start', 'end'], properties: { start: { type: 'string' }, end: { type: 'string' } } },
              ],
            },
          },
        },
      ],
    },
    createdAt: dateTime,
    createdBy: { type: 'string', description: 'The API key (or console user) that created it.' },
    expiredAt: { type: ['string', 'null'], format: 'date-time', description: 'When it was expired by hand (DELETE); null otherwise.' },
    expiredBy: nullableString,
    state: { enum: [...SILENCE_STATES], description: '`pending` (not started), `active` (between startsAt and endsAt), `expired` (ended or expired by hand).' },
    inForce: { type: 'boolean', description: 'Holds right now: active and, with a schedule, inside a window.' },
  },
} as const;

export const silencePageSchema = {
  $id: `${R}/silence-page.json`,
  title: 'SilencePage',
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: { $ref: `${R}/silence.json` } }, nextCursor: nullableString },
} as const;

export const silenceSchemas = [silenceRequestSchema, silenceSchema, silencePageSchema];
