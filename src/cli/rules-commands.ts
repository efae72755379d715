import path from 'node:path';
import type { Command } from 'commander';
import type { Ruleset } from '../domain/rule';
import { approvalRequired } from '../engine/decide';
import type { ProblemDetail } from '../errors';
import { candidateRulesetFromText } from '../rules/candidate-ruleset';
import { createSchemaRegistry, type SchemaRegistry } from '../schemas/registry';
import { RULES_CASES_SCHEMA_IDS } from '../schemas/rules-cases-schemas';
import { approvalDefaultsMap } from '../strategies/action-specs';
import { closedLoopFacts } from '../strategies/closed-loop-facts';
import { loadConfig } from '../config/load-config';
import type { AppConfig } from '../config/schema';
import { CliError, EXIT } from './exit-codes';
import { readJsonFile, readTextFile } from './json-file';
import { type Io, json, table } from './output';
import { diffRules } from '../rules/rules-diff';
import { type CaseReport, type RulesCase, runCases } from './rules-test';

export interface CommandContext {
  io: Io;
  setExit(code: number): void;
}

const DEFAULT_RULES_FILE = path.join('config', 'self-healing-rules.json');

function problemLines(problems: ProblemDetail[]): string[] {
  return problems.map((p) => `  ${p.pointer || '(root)'}: ${p.message}`);
}

/** A rules file checked exactly as the service checks it; invalid (JSON included) → the problems and exit 1. */
function loadRules(schemas: SchemaRegistry, file: string): Ruleset {
  const outcome = candidateRulesetFromText(schemas, readTextFile(file, 'rules file'), new Date());
  if (!outcome.ok) throw new CliError(`${file} is invalid (${outcome.problems.length} problems)`, EXIT.failed, problemLines(outcome.problems));
  return outcome.ruleset;
}

/** The service's configuration as it would start here (defaults, CONFIG_FILE, environment): budgets and verification windows play as it would. */
function serviceConfig(): AppConfig {
  try {
    return loadConfig();
  } catch (err) {
    throw new CliError(`the service configuration is invalid: ${(err as Error).message}`, EXIT.usage);
  }
}

function show(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

export function addRulesCommands(program: Command, ctx: CommandContext): void {
  const { io } = ctx;
  const schemas = createSchemaRegistry();
  const approvalDefaults = approvalDefaultsMap();
  const rules = program.command('rules').description('check, unit-test and compare rules files (no service needed)');

  rules
    .command('validate')
    .description('validate a rules file with the service\'s own checks; problems by JSON pointer; the version is the one the service reports for this file')
    .argument('[file]', 'rules file', process.env.RULES_FILE || DEFAULT_RULES_FILE)
    .option('--json', 'machine-readable output')
    .action((file: string, opts: { json?: boolean }) => {
      // Text that is not JSON is an invalid rules file like any other (exit 1): the check failed.
      const outcome = candidateRulesetFromText(schemas, readTextFile(file, 'rules file'), new Date());
      if (opts.json) {
        io.out(json(outcome.ok
          ? { file, valid: true, rules: outcome.ruleset.rules.length, version: outcome.ruleset.version, problems: [] }
          : { file, valid: false, rules: 0, problems: outcome.problems }));
      } else if (outcome.ok) {
        const shadow = outcome.ruleset.rules.filter((r) => r.mode === 'shadow').length;
        io.out(`${file}: valid, ${outcome.ruleset.rules.length} rules${shadow ? ` (${shadow} in shadow mode)` : ''}, version ${outcome.ruleset.version}`);
      } else {
        io.out([`${file}: invalid, ${outcome.problems.length} problems`, ...problemLines(outcome.problems)].join('\n'));
      }
      ctx.setExit(outcome.ok ? EXIT.ok : EXIT.failed);
    });

  rules
    .command('test')
    .description('run the cases of one or more cases files against a rules file, on a virtual clock')
    .argument('<rules-file>', 'rules file')
    .argument('<cases-files...>', 'cases files (docs/cli.md)')
    .option('--approval-timeout <minutes>', 'when an open approval expires (the service\'s approvals.timeoutMinutes)', '60')
    .option('--json', 'machine-readable output')
    .action(async (rulesFile: string, casesFiles: string[], opts: { json?: boolean; approvalTimeout: string }) => {
      const timeout = Number(opts.approvalTimeout);
      if (!Number.isFinite(timeout) || timeout <= 0) throw new CliError(`--approval-timeout must be a positive number of minutes, got "${opts.approvalTimeout}"`, EXIT.usage);
      const ruleset = loadRules(schemas, rulesFile);
      const closedLoop = closedLoopFacts(serviceConfig());
      const reports: CaseReport[] = [];
      for (const file of casesFiles) {
        const checked = schemas.validate<{ cases: RulesCase[] }>(RULES_CASES_SCHEMA_IDS.rulesCases, readJsonFile(file, 'cases file'));
        if (!checked.ok) throw new CliError(`cases file ${file} is malformed`, EXIT.usage, problemLines(checked.errors));
        reports.push(
          ...(await runCases(file, checked.value.cases, {
            ruleset,
            requiresApproval: (r) => approvalRequired(r, approvalDefaults),
            approvalTimeoutMinutes: timeout,
            closedLoop,
          })),
        );
      }
      const failed = reports.filter((r) => !r.ok);
      const steps = reports.reduce((n, r) => n + r.steps.length, 0);
      if (opts.json) {
        io.out(json({ ok: failed.length === 0, cases: reports.length, failed: failed.length, steps, reports }));
      } else {
        const lines: string[] = [];
        for (const r of reports) {
          lines.push(`${r.ok ? 'PASS' : 'FAIL'}  ${r.file}: ${r.name}`);
          for (const s of r.steps.filter((x) => !x.ok)) {
            for (const f of s.failures) {
              lines.push(`      step ${s.step} (${s.at}) rule ${f.rule}: expected ${f.expected}, got ${f.actual}${f.reason ? ` — ${f.reason}` : ''}`);
            }
          }
        }
        lines.push(`${reports.length} cases, ${steps} steps: ${reports.length - failed.length} passed, ${failed.length} failed`);
        io.out(lines.join('\n'));
      }
      ctx.setExit(failed.length === 0 ? EXIT.ok : EXIT.failed);
    });

  rules
    .command('diff')
    .description('added, removed and changed rules between two rules files, field by field')
    .argument('<a>', 'the rules file before')
    .argument('<b>', 'the rules file after')
    .option('--json', 'machine-readable output')
    .action((a: string, b: string, opts: { json?: boolean }) => {
      const diff = diffRules(loadRules(schemas, a).rules, loadRules(schemas, b).rules);
      const same = diff.added.length + diff.removed.length + diff.changed.length === 0;
      if (opts.json) {
        io.out(json({ same, ...diff }));
      } else if (same) {
        io.out('no rule differs');
      } else {
        const rows: (string | null)[][] = [
          ...diff.added.map((r) => ['added', r, null, null, null]),
          ...diff.removed.map((r) => ['removed', r, null, null, null]),
          ...diff.changed.flatMap((c) => c.fields.map((f) => ['changed', c.rule, f.field, show(f.before), show(f.after)])),
        ];
        io.out(table(['change', 'rule', 'field', 'before', 'after'], rows));
      }
      ctx.setExit(same ? EXIT.ok : EXIT.failed);
    });
}
