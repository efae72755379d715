import { CONSOLE_SCHEMA_IDS as C } from '../schemas/console-schemas';
import { SCHEMA_IDS } from '../schemas/registry';
import type { RouteId } from '../http/route-table';
import type { OperationDoc } from './operations';

/** The routes the browser console adds beside the API it otherwise shares with every client. */
export const CONSOLE_DESCRIPTIONS = {
  getSession: {
    tag: 'console',
    summary: 'Who the caller is (open mode, console session, or API key) and its role',
    description: 'The console shows only the actions this role may take.',
    responses: [{ status: 200, description: 'The caller.', schema: C.sessionInfo }],
  },
  signIn: {
    tag: 'console',
    summary: 'Sign in to the console with an API key: sets the session cookie',
    description:
      'Sets `shre_session` (HttpOnly, SameSite=Strict, Path=/, Max-Age = console.sessionTtlMinutes; Secure when console.secureCookie). ' +
      'The API then accepts the cookie in place of a Bearer key, with the key\'s role; every write made with it must carry the console\'s own Origin.',
    body: { schema: C.sessionRequest, required: true },
    responses: [{ status: 200, description: 'Signed in.', schema: C.sessionInfo }],
    errors: [
      { status: 401, description: 'The API key is not valid.' },
      { status: 409, description: '`sign_in_not_needed`: no keys are configured, the console is open.' },
      { status: 429, description: 'Too many failed authentications from this address (any route, any way a key is checked); see Retry-After.' },
    ],
  },
  signOut: {
    tag: 'console',
    summary: 'Sign out: ends the session on every instance and clears the cookie',
    responses: [{ status: 200, description: 'Signed out.', schema: C.signOutResult }],
  },
  streamEvents: {
    tag: 'console',
    summary: 'Server-sent events: the events the n8n outbox carries, numbered, resumable',
    description:
      'Needs `Accept: text/event-stream`. Starts after `Last-Event-ID` (or `lastEventId`), else from now. ' +
      'Events of every instance sharing the store appear in one numbered order.',
    parameters: [
      { name: 'Last-Event-ID', in: 'header', description: 'Resume after this event number (browsers send it on reconnect).', schema: { type: 'string', pattern: '^\\d{1,15}$' } },
      { name: 'lastEventId', in: 'query', description: 'The same, for clients that cannot set headers.', schema: { type: 'string', pattern: '^\\d{1,15}$' } },
      { name: 'follow', in: 'query', description: '`false`: send the events there are and close.', schema: { enum: ['true', 'false'] } },
    ],
    responses: [{ status: 200, description: 'The stream.', schema: C.eventStream, contentType: 'text/event-stream' }],
    errors: [{ status: 406, description: 'The request did not accept text/event-stream.' }],
  },
} satisfies Partial<Record<RouteId, OperationDoc>>;
