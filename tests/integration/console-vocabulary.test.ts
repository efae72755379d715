import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { createConsoleRouter } from '../../routes/console';
import { ACTION_OUTCOMES, ACTION_STATUSES, FAILBACK_ACTION_TYPE } from '../../src/domain/action';
import { RULE_DECISION_KINDS } from '../../src/domain/decision';
import { EVENT_TYPES } from '../../src/domain/events';
import { INCIDENT_RESOLUTIONS, INCIDENT_STATES } from '../../src/domain/incident';
import { PROBLEM_CODES } from '../../src/domain/problem-codes';
import { ACTION_TYPES, SEVERITIES } from '../../src/domain/rule';
import { MATCHER_FIELDS, SILENCE_STATES, WEEKDAYS } from '../../src/silences/silence';
import { ACTION_SPECS } from '../../src/strategies/action-specs';

/**
 * The console's words are the service's: it imports them from /console/js/vocabulary.js, which the
 * service makes from src/domain, and keeps no list of its own that could fall behind (the copy of the
 * event types it had lacked `action.shadowed`).
 */
const CONSOLE_JS = path.join(__dirname, '..', '..', 'console', 'js');

function consoleFiles(dir = CONSOLE_JS): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return consoleFiles(full);
    return e.name.endsWith('.js') ? [full] : [];
  });
}

/** The module as the browser gets it, read back: `export const NAME = Object.freeze([...]);` per list. */
function parseModule(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of text.matchAll(/^export const ([A-Z_]+) = Object\.freeze\((.*)\);$/gm)) out[m[1]!] = JSON.parse(m[2]!);
  return out;
}

describe('the console vocabulary', () => {
  const app = express().use(createConsoleRouter());

  it('is served as a JavaScript module with the service\'s own event types, decisions, problem codes and action words', async () => {
    const res = await request(app).get('/console/js/vocabulary.js');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/javascript');
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(parseModule(res.text)).toEqual({
      EVENT_TYPES: [...EVENT_TYPES],
      DECISION_KINDS: [...RULE_DECISION_KINDS],
      PROBLEM_CODES: [...PROBLEM_CODES],
      ACTION_STATUSES: [...ACTION_STATUSES],
      ACTION_OUTCOMES: [...ACTION_OUTCOMES],
      ACTION_TYPES: [...ACTION_TYPES],
      ACTION_SPECS: Object.fromEntries(ACTION_TYPES.map((type) => [type, { revertible: ACTION_SPECS[type].revertible, failsBack: type === FAILBACK_ACTION_TYPE }])),
      SEVERITIES: [...SEVERITIES],
      MATCHER_FIELDS: [...MATCHER_FIELDS],
      SILENCE_STATES: [...SILENCE_STATES],
      WEEKDAYS: [...WEEKDAYS],
      INCIDENT_STATES: [...INCIDENT_STATES],
      INCIDENT_RESOLUTIONS: [...INCIDENT_RESOLUTIONS],
    });
    expect(parseModule(res.text).EVENT_TYPES).toContain('action.shadowed');
    expect((await request(app).post('/console/js/vocabulary.js')).status).toBe(404);
  });

  it('is what the console imports its words from: no console file keeps a list of event types, decisions, codes or action words', () => {
    // An array literal with three words of one of these lists is (part of) a copy of it; a choice
    // among them (two codes after which an approval is final) is not.
    const partial = { EVENT_TYPES, DECISION_KINDS: RULE_DECISION_KINDS, PROBLEM_CODES } as Record<string, readonly string[]>;
    // Of these, only the whole list is a copy: a page may well name a few statuses or types it treats apart.
    const whole = { ACTION_STATUSES, ACTION_TYPES, MATCHER_FIELDS, WEEKDAYS, INCIDENT_RESOLUTIONS } as Record<string, readonly string[]>;
    const copies: string[] = [];
    for (const file of consoleFiles()) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\[([^[\]]*)\]/g)) {
        const words = new Set([...m[1]!.matchAll(/'([^']*)'/g)].map((w) => w[1]!));
        const found = (list: readonly string[]) => list.filter((w) => words.has(w));
        for (const [name, list] of Object.entries(partial)) if (found(list).length >= 3) copies.push(`${path.relative(CONSOLE_JS, file)}: ${name} ${found(list).join(', ')}`);
        for (const [name, list] of Object.entries(whole)) if (found(list).length === list.length) copies.push(`${path.relative(CONSOLE_JS, file)}: ${name}`);
      }
    }
    expect(copies).toEqual([]);
    expect(fs.readFileSync(path.join(CONSOLE_JS, 'live.js'), 'utf8')).toMatch(/import \{ EVENT_TYPES \} from '\.\/vocabulary\.js'/);
  });

  it('takes what it treats apart by action type from the action specs: which types offer a revert, which have failbacks', async () => {
    const served = parseModule((await request(app).get('/console/js/vocabulary.js')).text).ACTION_SPECS as Record<string, { revertible: boolean; failsBack: boolean }>;
    expect(Object.keys(served).filter((type) => served[type]!.revertible)).toEqual(['model_failover', 'prompt_rollback', 'throttle']);
    expect(Object.keys(served).filter((type) => served[type]!.failsBack)).toEqual(['model_failover']);
    // A console file that names an action type keeps its own copy of what the specs say of it.
    const named = consoleFiles().flatMap((file) =>
      [...fs.readFileSync(file, 'utf8').matchAll(/['"`]([a-z_]+)['"`]/g)]
        .filter((m) => (ACTION_TYPES as readonly string[]).includes(m[1]!))
        .map((m) => `${path.relative(CONSOLE_JS, file)}: ${m[1]}`));
    expect(named).toEqual([]);
  });

  it('calls the service only by operation name (client.js): no console file writes an API path itself', () => {
    const paths = consoleFiles().flatMap((file) =>
      [...fs.readFileSync(file, 'utf8').matchAll(/['`"](\/(?:api|metrics)[^'`"]*)['`"]/g)].map((m) => `${path.relative(CONSOLE_JS, file)}: ${m[1]}`));
    expect(paths).toEqual([]);
  });

  it('names only event types, problem codes and decisions the service has', () => {
    const unknown: string[] = [];
    for (const file of consoleFiles()) {
      const text = fs.readFileSync(file, 'utf8');
      const rel = path.relative(CONSOLE_JS, file);
      for (const m of text.matchAll(/'((?:action|alert|failover|throttle|automation|incident|silence)\.[a-z_]+)'/g)) {
        if (!(EVENT_TYPES as readonly string[]).includes(m[1]!)) unknown.push(`${rel}: event ${m[1]}`);
      }
      for (const m of text.matchAll(/\bcode\s*===\s*'([a-z_]+)'|\bcode\s*!==\s*'([a-z_]+)'/g)) {
        const code = m[1] ?? m[2]!;
        if (!(PROBLEM_CODES as readonly string[]).includes(code)) unknown.push(`${rel}: code ${code}`);
      }
      for (const m of text.matchAll(/\bdecision\s*===\s*'([a-z_]+)'/g)) {
        if (!(RULE_DECISION_KINDS as readonly string[]).includes(m[1]!)) unknown.push(`${rel}: decision ${m[1]}`);
      }
    }
    expect(unknown).toEqual([]);
  });
});
