import { SCHEMA_BASE, REPLY_BASE as R } from './shared-schemas';


/** Body of POST /api/session: the API key to sign in with. */
export const sessionRequestSchema = {
  $id: `${SCHEMA_BASE}/session-request.json`,
  type: 'object',
  additionalProperties: false,
  required: ['apiKey'],
  properties: { apiKey: { type: 'string', minLength: 1, maxLength: 512 } },
} as const;

/** Who the caller is, for the console to show only what the role may do. */
export const sessionInfoSchema = {
  $id: `${R}/session-info.json`,
  type: 'object',
  additionalProperties: false,
  required: ['open', 'signedIn', 'via', 'name', 'role', 'expiresAt'],
  properties: {
    open: { type: 'boolean', description: 'No API keys are configured: everything is allowed without signing in (loopback only).' },
    signedIn: { type: 'boolean', description: 'A console session cookie is in force.' },
    via: { enum: ['open', 'session', 'key', null], description: 'How the caller was recognised.' },
    name: { type: ['string', 'null'], description: "The API key's name." },
    role: { enum: ['viewer', 'operator', 'approver', 'admin', null] },
    expiresAt: { type: ['string', 'null'], format: 'date-time', description: 'When the session ends.' },
  },
} as const;

export const signOutResultSchema = {
  $id: `${R}/sign-out-result.json`,
  type: 'object',
  additionalProperties: false,
  required: ['signedIn', 'ended'],
  properties: {
    signedIn: { const: false },
    ended: { type: 'boolean', description: 'A session was in force and is now ended on every instance.' },
  },
} as const;

/** The text/event-stream body of GET /api/events. */
export const eventStreamSchema = {
  $id: `${R}/event-stream.json`,
  type: 'string',
  description:
    'Server-sent events. Each event: `id: <number>`, `event: <type>` (action.pending_approval, action.succeeded, ...), `data: <the JSON envelope the n8n webhook receives>`. ' +
    'Numbers grow by one per event across every instance; send `Last-Event-ID` (browsers do on reconnect) to resume after one.',
} as const;

export const rulesFileSchema = {
  $id: `${R}/rules-file-text.json`,
  type: 'object',
  additionalProperties: false,
  required: ['file', 'version', 'text'],
  properties: {
    file: { type: 'string' },
    version: { type: 'string', description: 'Send it back as If-Match when replacing the file.' },
    text: { type: 'string', description: 'The file exactly as it is on disk, valid or not.' },
  },
} as const;

export const rulesFileWrittenSchema = {
  $id: `${R}/rules-file-written.json`,
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: { version: { type: 'string' } },
} as const;

export const CONSOLE_SCHEMA_IDS = {
  sessionRequest: sessionRequestSchema.$id,
  sessionInfo: sessionInfoSchema.$id,
  signOutResult: signOutResultSchema.$id,
  eventStream: eventStreamSchema.$id,
  rulesFile: rulesFileSchema.$id,
  rulesFileWritten: rulesFileWrittenSchema.$id,
} as const;

export const consoleSchemas = [sessionRequestSchema, sessionInfoSchema, signOutResultSchema, eventStreamSchema, rulesFileSchema, rulesFileWrittenSchema];
