import { ConflictError, NotFoundError, ValidationError, type ProblemDetail } from '../errors';
import { NAME_PATTERN } from '../domain/identifiers';
import type { Prompt, PromptVersion } from '../domain/state';
import type { Clock } from '../clock';
import type { Logger } from '../logging/logger';
import { CAS_ATTEMPTS, updateVersioned, writeNext } from '../store/compare-and-set';
import { promptKey, type PromptStore } from '../store/versioned-state-store';

export interface PromptVersionsDeps {
  store: PromptStore;
  clock: Clock;
  logger: Logger;
}

/** Same shape as rule names, so a rule's `prompt` param and a registered prompt always agree. */
export const PROMPT_NAME_PATTERN = NAME_PATTERN;

/**
 * A prompt is one document (all its versions), so one compare-and-set switches the active version
 * atomically on every store. These bounds keep that document well under MongoDB's 16 MB limit.
 */
export const PROMPT_LIMITS = {
  contentMaxLength: 100_000,
  descriptionMaxLength: 1000,
  maxVersions: 1000,
  /** Sum of all versions' content; at most 3 bytes per UTF-16 unit keeps it under 12 MB. */
  totalContentMaxLength: 4_000_000,
} as const;

export type PromptErrorReason =
  | 'unknown_prompt'
  | 'no_active_version'
  | 'no_previous_version'
  | 'version_limit'
  | 'concurrent_update';

/** Thrown for "no such prompt": the routes answer 404, the rollback strategy fails with the reason. */
export class PromptNotFoundError extends NotFoundError {
  readonly reason = 'unknown_prompt' as const;
  constructor(readonly prompt: string) {
    super(`no prompt named "${prompt}"`);
  }
}

/** Thrown when the prompt exists but the change cannot be made; the routes answer 409. */
export class PromptConflictError extends ConflictError {
  constructor(
    message: string,
    readonly reason: Exclude<PromptErrorReason, 'unknown_prompt'>,
    readonly prompt: string,
  ) {
    super(message, { reason, prompt }, reason);
  }
}

export type PromptError = PromptNotFoundError | PromptConflictError;

export function isPromptError(err: unknown): err is PromptError {
  return err instanceof PromptNotFoundError || err instanceof PromptConflictError;
}

export interface NewPromptVersion {
  content: string;
  description?: string;
  /** Make the new version the active one. The first version of a new prompt is always active. */
  activate?: boolean;
}

export interface PromptSummary {
  name: string;
  activeVersion: number | null;
  latestVersion: number | null;
  versionCount: number;
  updatedAt: string | null;
}

export interface AddVersionResult {
  prompt: Prompt;
  version: PromptVersion;
}

export interface RollbackResult {
  prompt: string;
  from: number;
  to: number;
}

export function summarizePrompt(prompt: Prompt): PromptSummary {
  const latest = prompt.versions[prompt.versions.length - 1];
  return {
    name: prompt.name,
    activeVersion: prompt.activeVersion,
    latestVersion: latest ? latest.version : null,
    versionCount: prompt.versions.length,
    updatedAt: latest ? latest.createdAt : null,
  };
}

function validateName(name: string): void {
  if (typeof name !== 'string' || !PROMPT_NAME_PATTERN.test(name)) {
    throw new ValidationError('prompt name is invalid', [
      {
        pointer: '/params/name',
        message: 'must be 1 to 100 letters, digits, dots, underscores or dashes, starting with a letter or digit',
      },
    ]);
  }
}

function validateNewVersion(input: NewPromptVersion): void {
  const problems: ProblemDetail[] = [];
  if (typeof input.content !== 'string' || input.content.length === 0) {
    problems.push({ pointer: '/content', message: 'must be a non-empty string' });
  } else if (input.content.length > PROMPT_LIMITS.contentMaxLength) {
    problems.push({ pointer: '/content', message: `must be at most ${PROMPT_LIMITS.contentMaxLength} characters` });
  }
  if (input.description !== undefined) {
    if (typeof input.description !== 'string') problems.push({ pointer: '/description', message: 'must be a string' });
    else if (input.description.length > PROMPT_LIMITS.descriptionMaxLength) {
      problems.push({
        pointer: '/description',
        message: `must be at most ${PROMPT_LIMITS.descriptionMaxLength} characters`,
      });
    }
  }
  if (input.activate !== undefined && typeof input.activate !== 'boolean') {
    problems.push({ pointer: '/activate', message: 'must be a boolean' });
  }
  if (problems.length > 0) throw new ValidationError('prompt version is invalid', problems);
}

/** Sets `active` on every version from `activeVersion`, so the two can never disagree. */
function withActive(prompt: Prompt, activeVersion: number | null): Prompt {
  return {
    name: prompt.name,
    activeVersion,
    versions: prompt.versions.map((v) => ({ ...v, active: v.version === activeVersion })),
  };
}

/**
 * Prompts in versions, kept in the store. Every change is a read, a pure recomputation and one
 * compare-and-set of the whole prompt document; a stale revision is re-read and recomputed, so
 * concurrent writers (in this process or another instance) serialize without a lock.
 */
export class PromptVersions {
  constructor(private readonly deps: PromptVersionsDeps) {}

  async list(): Promise<PromptSummary[]> {
    const prompts = await this.deps.store.listPrompts();
    return prompts.map(summarizePrompt);
  }

  async get(name: string): Promise<Prompt> {
    validateName(name);
    const stored = await this.deps.store.getPrompt(name);
    if (!stored) throw new PromptNotFoundError(name);
    return stored.value;
  }

  async getActive(name: string): Promise<PromptVersion> {
    const prompt = await this.get(name);
    const active = prompt.versions.find((v) => v.version === prompt.activeVersion);
    if (!active) throw new PromptConflictError(`prompt "${name}" has no active version`, 'no_active_version', name);
    return active;
  }

  async addVersion(name: string, input: NewPromptVersion): Promise<AddVersionResult> {
    validateName(name);
    validateNewVersion(input);
    return this.update(name, (current) => {
      const base: Prompt = current ?? { name, versions: [], activeVersion: null };
      if (base.versions.length >= PROMPT_LIMITS.maxVersions) {
        throw new PromptConflictError(
          `prompt "${name}" already has ${base.versions.length} versions (the limit is ${PROMPT_LIMITS.maxVersions})`,
          'version_limit',
          name,
        );
      }
      const total = base.versions.reduce((sum, v) => sum + v.content.length, 0) + input.content.length;
      if (total > PROMPT_LIMITS.totalContentMaxLength) {
        throw new PromptConflictError(
          `prompt "${name}" would hold ${total} characters of content over all versions (the limit is ${PROMPT_LIMITS.totalContentMaxLength})`,
          'version_limit',
          name,
        );
      }
      const number = base.versions.reduce((max, v) => Math.max(max, v.version), 0) + 1;
      const version: PromptVersion = {
        version: number,
        content: input.content,
        ...(input.description !== undefined ? { description: input.description } : {}),
        createdAt: this.deps.clock.now().toISOString(),
        active: false,
      };
      // Exactly one version is active whenever there are versions: the first one has to be.
      const activate = input.activate === true || base.activeVersion === null;
      const next = withActive(
        { ...base, versions: [...base.versions, version] },
        activate ? number : base.activeVersion,
      );
      const saved = next.versions[next.versions.length - 1] as PromptVersion;
      return { next, result: { prompt: next, version: saved } };
    });
  }

  /**
   * Activates the highest version below the active one and deactivates the active one, in one
   * write. Throws PromptNotFoundError or PromptConflictError (nothing changed) when it cannot.
   */
  async rollback(name: string, signal?: AbortSignal): Promise<RollbackResult> {
    validateName(name);
    return this.update(
      name,
      (current) => {
        if (!current) throw new PromptNotFoundError(name);
        const from = current.activeVersion;
        if (from === null) {
          throw new PromptConflictError(`prompt "${name}" has no active version to roll back from`, 'no_active_version', name);
        }
        const to = current.versions.reduce<number | null>(
          (best, v) => (v.version < from && (best === null || v.version > best) ? v.version : best),
          null,
        );
        if (to === null) {
          throw new PromptConflictError(
            `prompt "${name}" has no version before the active version ${from}`,
            'no_previous_version',
            name,
          );
        }
        return { next: withActive(current, to), result: { prompt: name, from, to } };
      },
      signal,
    );
  }

  /**
   * Compare-and-set activation (a rollback's revert): make `activate` the active version only while
   * `expectedActive` still is; otherwise a PromptConflictError and nothing changes.
   */
  async reactivate(name: string, versions: { expectedActive: number; activate: number }, signal?: AbortSignal): Promise<void> {
    validateName(name);
    await this.update(
      name,
      (current) => {
        if (!current) throw new PromptNotFoundError(name);
        if (current.activeVersion !== versions.expectedActive) {
          throw new PromptConflictError(
            `prompt "${name}" is on version ${current.activeVersion ?? 'none'}, not ${versions.expectedActive}; someone changed it since`,
            'concurrent_update',
            name,
          );
        }
        if (!current.versions.some((v) => v.version === versions.activate)) {
          throw new PromptConflictError(`prompt "${name}" has no version ${versions.activate} any more`, 'no_previous_version', name);
        }
        return { next: withActive(current, versions.activate), result: undefined };
      },
      signal,
    );
  }

  private async update<R>(
    name: string,
    change: (current: Prompt | null) => { next: Prompt; result: R },
    signal?: AbortSignal,
  ): Promise<R> {
    const updated = await updateVersioned(
      this.deps.store,
      promptKey(name),
      (stored) => {
        const { next, result } = change(stored ? stored.value : null);
        return writeNext(next, result);
      },
      { signal, onLost: (attempt) => this.deps.logger.debug('prompt changed concurrently; re-reading', { prompt: name, attempt }) },
    );
    if (updated.status === 'written') return updated.result;
    throw new PromptConflictError(
      `prompt "${name}" kept changing concurrently; gave up after ${CAS_ATTEMPTS} attempts`,
      'concurrent_update',
      name,
    );
  }
}
