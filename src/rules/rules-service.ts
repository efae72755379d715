import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../clock';
import type { Rule, Ruleset } from '../domain/rule';
import {
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
  type ProblemDetail,
  ValidationError,
} from '../errors';
import type { Logger } from '../logging/logger';
import type { SchemaRegistry } from '../schemas/registry';
import { writeFileAtomic } from './atomic-write';
import { withFileLock } from './file-lock';
import type { RulesChange, RulesChangeRecorder } from './rules-change-recorder';
import { formatDocument, parseDocumentText, type RulesDocument, versionOf } from './rules-document';
import { SerialQueue } from './serial-queue';
import { validateRulesDocument } from './validate-rules';

export interface RulesFileError {
  file: string;
  /** JSON pointer of the first problem; every problem is in `problems`. */
  pointer: string;
  message: string;
  problems: ProblemDetail[];
  at: string;
}

export interface RulesStatus {
  file: string;
  version: string;
  loadedAt: string;
  lastError: RulesFileError | null;
}

export interface RulesServiceOptions {
  file: string;
  watch: boolean;
  debounceMs: number;
  schemas: SchemaRegistry;
  clock: Clock;
  logger: Logger;
  /**
   * Readies a new version before it takes effect (the evaluator compiles it): until it resolves,
   * requests keep using the version in force.
   */
  prepare?: (ruleset: Ruleset) => Promise<void>;
  /** Told of every accepted version (the rules history); none in tests that do not need it. */
  history?: RulesChangeRecorder;
}

/** Who makes an API write and why; recorded in the rules history. */
export interface WriteOptions {
  by?: string;
  /** Replace the whole document: allowed while the file on disk is invalid (it is how it gets fixed). */
  wholeFile?: boolean;
  rollbackOf?: string;
}

export class RulesFileInvalidError extends Error {
  constructor(readonly detail: RulesFileError) {
    super(`rules file ${detail.file} is invalid at ${detail.pointer || '(root)'}: ${detail.message}`);
    this.name = 'RulesFileInvalidError';
  }
}

/** What a write returns: the rule as written (file form) and the file's new version. */
export interface RuleWrite {
  rule: Record<string, unknown> | null;
  version: string;
}

function matchesVersion(ifMatch: string, version: string): boolean {
  return ifMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1'))
    .some((tag) => tag === '*' || tag === version);
}

/**
 * Owns the rules file: loads and validates it, watches it for hand edits, and writes API edits back
 * atomically. An invalid file never replaces the rules in force; a stale write is refused.
 */
export class RulesService {
  private ruleset: Ruleset | null = null;
  private lastError: RulesFileError | null = null;
  private watcher: fs.FSWatcher | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private readonly writes = new SerialQueue();

  constructor(private readonly options: RulesServiceOptions) {}

  get file(): string {
    return this.options.file;
  }

  /** Loads at start-up: an invalid file stops the start (there are no last good rules to keep). */
  async load(): Promise<void> {
    const outcome = await this.readAndValidate();
    if (!outcome.ok) throw new RulesFileInvalidError(outcome.error);
    await this.install(outcome.rules, outcome.version);
    // Edits made while the service was down (or the very first file) enter the history here.
    await this.recordFound({ version: outcome.version, text: outcome.text, rules: outcome.rules, before: null, previousVersion: null });
  }

  current(): Ruleset {
    if (!this.ruleset) throw new Error('rules are not loaded');
    return this.ruleset;
  }

  isLoaded(): boolean {
    return this.ruleset !== null;
  }

  /** The rule as it stands now; null when there is none by that name (or no rules are loaded). */
  ruleNamed(ruleName: string): Rule | null {
    return this.ruleset?.byName.get(ruleName) ?? null;
  }

  /** The notification channels of a rule as it stands now; just the log for an unknown rule. */
  channelsFor(ruleName: string): string[] {
    return this.ruleNamed(ruleName)?.notifications.channels ?? ['log'];
  }

  status(): RulesStatus {
    const ruleset = this.current();
    return {
      file: this.options.file,
      version: ruleset.version,
      loadedAt: ruleset.loadedAt.toISOString(),
      lastError: this.lastError,
    };
  }

  /** Re-reads the file; keeps the rules in force when it is invalid. True when new rules took effect. */
  async reload(): Promise<boolean> {
    return this.writes.run(async () => {
      const outcome = await this.readAndValidate();
      if (!outcome.ok) {
        this.lastError = outcome.error;
        this.options.logger.error('rules file refused; the last good rules stay in force', {
          file: outcome.error.file,
          pointer: outcome.error.pointer,
          message: outcome.error.message,
          problems: outcome.error.problems.length,
        });
        return false;
      }
      if (this.ruleset && outcome.version === this.ruleset.version) {
        this.lastError = null;
        return false;
      }
      const before = this.ruleset;
      await this.install(outcome.rules, outcome.version);
      await this.recordFound({
        version: outcome.version,
        text: outcome.text,
        rules: outcome.rules,
        before: before?.rules ?? null,
        previousVersion: before?.version ?? null,
      });
      this.options.logger.info('rules file reloaded', { version: outcome.version, rules: outcome.rules.length });
      return true;
    });
  }

  /** Validates a whole candidate file; applies nothing. */
  validateCandidate(doc: unknown): { valid: boolean; problems: ProblemDetail[]; rules: number } {
    const result = validateRulesDocument(this.options.schemas, doc);
    return result.ok ? { valid: true, problems: [], rules: result.rules.length } : { valid: false, problems: result.problems, rules: 0 };
  }

  /** The rule as the file holds it (without defaults filled in), for write-back round trips. */
  async readRawRule(name: string): Promise<Record<string, unknown> | null> {
    const text = await fsp.readFile(this.options.file, 'utf8');
    const parsed = parseDocumentText(text);
    if (!parsed.ok) return null;
    const rules = (parsed.doc as RulesDocument).rules;
    return Array.isArray(rules) ? (rules.find((r) => r && r.name === name) ?? null) : null;
  }

  create(rule: Record<string, unknown>, ifMatch?: string, by?: string): Promise<RuleWrite> {
    return this.mutate(ifMatch, (doc) => {
      if (doc.rules.some((r) => r.name === rule.name)) {
        throw new ConflictError(`a rule named "${String(rule.name)}" already exists`, {}, 'rule_exists');
      }
      doc.rules.push(rule);
      return { rule, index: doc.rules.length - 1 };
    }, { by });
  }

  replace(name: string, rule: Record<string, unknown>, ifMatch?: string, by?: string): Promise<RuleWrite> {
    return this.mutate(ifMatch, (doc) => {
      const index = this.indexOf(doc, name);
      doc.rules[index] = rule;
      return { rule, index };
    }, { by });
  }

  patch(name: string, changes: Record<string, unknown>, ifMatch?: string, by?: string): Promise<RuleWrite> {
    return this.mutate(ifMatch, (doc) => {
      const index = this.indexOf(doc, name);
      const next = { ...doc.rules[index]!, ...changes };
      doc.rules[index] = next;
      return { rule: next, index };
    }, { by });
  }

  /** The file as it is on disk (valid or not), so a person can edit it whole. */
  async readFile(): Promise<{ text: string; version: string }> {
    const text = await fsp.readFile(this.options.file, 'utf8');
    return { text, version: versionOf(text) };
  }

  /**
   * Replaces the whole file, under the same lock, If-Match and validation as every edit. Unlike the
   * per-rule edits it also works while the file on disk is invalid: this is how it gets fixed.
   */
  replaceFile(doc: Record<string, unknown>, ifMatch?: string, by?: string): Promise<RuleWrite> {
    return this.mutate(
      ifMatch,
      (current) => {
        const target = current as unknown as Record<string, unknown>;
        for (const key of Object.keys(target)) delete target[key];
        Object.assign(target, structuredClone(doc));
        return { rule: null, index: -1 };
      },
      { wholeFile: true, by },
    );
  }

  remove(name: string, ifMatch?: string, by?: string): Promise<RuleWrite> {
    return this.mutate(ifMatch, (doc) => {
      doc.rules.splice(this.indexOf(doc, name), 1);
      return { rule: null, index: -1 };
    }, { by });
  }

  /**
   * Puts a recorded version back: the whole document through the same lock, If-Match, validation
   * and atomic write as every edit, also while the file on disk is invalid.
   */
  rollback(doc: Record<string, unknown>, ifMatch: string, by: string, version: string): Promise<RuleWrite> {
    return this.mutate(ifMatch, (current) => {
      const target = current as unknown as Record<string, unknown>;
      for (const key of Object.keys(target)) delete target[key];
      Object.assign(target, structuredClone(doc));
      return { rule: null, index: -1 };
    }, { by, wholeFile: true, rollbackOf: version });
  }

  startWatching(): void {
    if (!this.options.watch || this.watcher) return;
    const dir = path.dirname(this.options.file);
    const base = path.basename(this.options.file);
    // The folder, not the file: editors and our own writes replace the file by rename.
    this.watcher = fs.watch(dir, { persistent: false }, (_event, filename) => {
      if (filename !== null && filename !== base) return;
      if (this.debounce) clearTimeout(this.debounce);
      this.debounce = setTimeout(() => {
        this.debounce = null;
        this.reload().catch((err: unknown) =>
          this.options.logger.error('rules reload failed', { error: (err as Error).message }),
        );
      }, this.options.debounceMs);
    });
    this.watcher.on('error', (err) => this.options.logger.error('rules file watcher failed', { error: err.message }));
  }

  stopWatching(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = null;
    this.watcher?.close();
    this.watcher = null;
  }

  private indexOf(doc: RulesDocument, name: string): number {
    const index = doc.rules.findIndex((r) => r.name === name);
    if (index < 0) throw new NotFoundError(`no rule named "${name}"`);
    return index;
  }

  private async install(rules: Rule[], version: string): Promise<void> {
    const ruleset: Ruleset = {
      rules,
      byName: new Map(rules.map((r) => [r.name, r])),
      version,
      loadedAt: this.options.clock.now(),
    };
    await this.options.prepare?.(ruleset);
    this.ruleset = ruleset;
    this.lastError = null;
  }

  private fileError(problems: ProblemDetail[]): RulesFileError {
    const first = problems[0] ?? { pointer: '', message: 'invalid' };
    return {
      file: this.options.file,
      pointer: first.pointer,
      message: first.message,
      problems,
      at: this.options.clock.now().toISOString(),
    };
  }

  /** A version found on disk goes to the history; a history that fails is logged, never fatal to the rules. */
  private async recordFound(change: Omit<RulesChange, 'by' | 'cause'>): Promise<void> {
    try {
      await this.options.history?.found({ ...change, by: 'file', cause: 'file' });
    } catch (err) {
      this.options.logger.error('could not record the rules version in the history', { version: change.version, error: (err as Error).message });
    }
  }

  private async readAndValidate(): Promise<
    { ok: true; rules: Rule[]; version: string; text: string } | { ok: false; error: RulesFileError }
  > {
    let text: string;
    try {
      text = await fsp.readFile(this.options.file, 'utf8');
    } catch (err) {
      return { ok: false, error: this.fileError([{ pointer: '', message: `cannot read the file: ${(err as Error).message}` }]) };
    }
    const parsed = parseDocumentText(text);
    if (!parsed.ok) return { ok: false, error: this.fileError([parsed.problem]) };
    const result = validateRulesDocument(this.options.schemas, parsed.doc);
    if (!result.ok) return { ok: false, error: this.fileError(result.problems) };
    return { ok: true, rules: result.rules, version: versionOf(text), text };
  }

  /**
   * Every API edit: under one queue and the file's lock (shared with other instances), re-read the file from disk (so a hand edit is never lost),
   * check If-Match against what is on disk, apply the change, validate the whole result, write it
   * atomically and put it in force.
   */
  private mutate(
    ifMatch: string | undefined,
    change: (doc: RulesDocument) => { rule: Record<string, unknown> | null; index: number },
    options: WriteOptions = {},
  ): Promise<RuleWrite> {
    return this.writes.run(() => withFileLock(this.options.file, async () => {
      const text = await fsp.readFile(this.options.file, 'utf8');
      const diskVersion = versionOf(text);
      if (ifMatch !== undefined && !matchesVersion(ifMatch, diskVersion)) {
        throw new PreconditionFailedError('the rules file has changed since you read it; re-read it and retry', {
          currentVersion: diskVersion,
        });
      }
      const parsed = parseDocumentText(text);
      const before = parsed.ok ? validateRulesDocument(this.options.schemas, parsed.doc) : null;
      if (!options.wholeFile && (!parsed.ok || !before || !before.ok)) {
        const problems = parsed.ok ? (before && !before.ok ? before.problems : []) : [parsed.problem];
        this.lastError = this.fileError(problems);
        throw new ConflictError(
          'the rules file on disk is invalid; fix it (or replace it) before editing rules through the API',
          { lastError: this.lastError },
          'rules_file_invalid',
        );
      }
      const doc = (parsed.ok && typeof parsed.doc === 'object' && parsed.doc !== null ? structuredClone(parsed.doc) : {}) as RulesDocument;
      const written = change(doc);
      const after = validateRulesDocument(this.options.schemas, doc);
      if (!after.ok) {
        // Problems inside the rule being written are reported against the request body.
        const own = `/rules/${written.index}`;
        const problems = after.problems.map((p) =>
          p.pointer === own || p.pointer.startsWith(`${own}/`) ? { ...p, pointer: p.pointer.slice(own.length) } : p,
        );
        throw new ValidationError('the change would make the rules file invalid', problems);
      }
      const output = formatDocument(doc);
      const version = versionOf(output);
      // A write that changes nothing (same bytes) is no new version.
      const undo = version === diskVersion ? undefined : await this.options.history?.beforeWrite({
        version,
        text: output,
        rules: after.rules,
        before: before?.ok ? before.rules : null,
        previousVersion: diskVersion,
        by: options.by ?? 'api',
        cause: options.rollbackOf ? 'rollback' : 'api',
        ...(options.rollbackOf ? { rollbackOf: options.rollbackOf } : {}),
      });
      try {
        await writeFileAtomic(this.options.file, output);
      } catch (err) {
        await undo?.().catch(() => undefined);
        throw err;
      }
      await this.install(after.rules, version);
      this.options.logger.info('rules file written', { version, rules: after.rules.length });
      return { rule: written.rule, version };
    }));
  }
}
