import crypto from 'node:crypto';
import type { ProblemDetail } from '../errors';
import { nonFiniteNumbers } from '../schemas/finite-numbers';

/** The rules file as JSON: `rules` plus any other top-level keys (kept as they are on write-back). */
export interface RulesDocument {
  rules: Record<string, unknown>[];
  defaults?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The file's version is a digest of its bytes: a hand edit and an API edit both change it. */
export function versionOf(text: string): string {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 20);
}

/** Stable formatting for write-back: 2-space JSON with a trailing newline, key order kept. */
export function formatDocument(doc: RulesDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/** Parses the file's text; a syntax error becomes one problem naming where it is. */
export function parseDocumentText(text: string): { ok: true; doc: unknown } | { ok: false; problem: ProblemDetail } {
  let doc: unknown;
  try {
    doc = JSON.parse(text) as unknown;
  } catch (err) {
    const message = (err as Error).message;
    const at = /position (\d+)/.exec(message);
    const where = at ? ` (${lineAndColumn(text, Number(at[1]))})` : '';
    return { ok: false, problem: { pointer: '', message: `invalid JSON${where}: ${message}` } };
  }
  // JSON.parse reads 1e400 as Infinity, which would be written back as null: refused like a syntax error.
  const outOfRange = nonFiniteNumbers(doc)[0];
  if (outOfRange) return { ok: false, problem: outOfRange };
  return { ok: true, doc };
}
