import type { Ruleset } from '../src/domain/rule';
import { Evaluator } from '../src/engine/evaluate';
import { validateRulesDocument } from '../src/rules/validate-rules';
import { createSchemaRegistry } from '../src/schemas/registry';
import { generateRulesDocument } from './generate-rules';

export interface CompileResult {
  /** Evaluator.prepare of 1,000 generated rules: the first time in this process, then the median of later ones. */
  compile1000FirstMs: number;
  compile1000MedianMs: number;
  /** CPU time of the same (user + system): what the compile costs whatever else the machine runs. */
  compile1000FirstCpuMs: number;
  compile1000MedianCpuMs: number;
  /** Heap held by 10,000 compiled rules (prepared, fact index built), after a full GC. */
  memory10000Mb: number | null;
}

function rulesetOf(count: number, seed: number): Ruleset {
  const v = validateRulesDocument(createSchemaRegistry(), generateRulesDocument(count, seed));
  if (!v.ok) throw new Error(`generated rules are invalid: ${JSON.stringify(v.problems.slice(0, 3))}`);
  // Names stay unique across seeds: they come from the position only, which is what we want here.
  return { rules: v.rules, byName: new Map(v.rules.map((r) => [r.name, r])), version: `seed-${seed}`, loadedAt: new Date() };
}

async function timed(fn: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(cpu);
  return { wall: Number(process.hrtime.bigint() - started) / 1e6, cpu: (used.user + used.system) / 1000 };
}

/** Compile time of a rules version, and memory of many compiled rules (needs node --expose-gc). */
export async function runCompileBench(log: (s: string) => void): Promise<CompileResult> {
  const firstRuleset = rulesetOf(1000, 11);
  const first = await timed(() => new Evaluator().prepare(firstRuleset));
  const later: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const ruleset = rulesetOf(1000, 12 + i);
    later.push(await timed(() => new Evaluator().prepare(ruleset)));
  }
  later.sort((a, b) => a.wall - b.wall);
  const gc = (globalThis as { gc?: () => void }).gc;
  let memory: number | null = null;
  if (gc) {
    const rulesets = Array.from({ length: 10 }, (_, i) => rulesetOf(1000, 100 + i));
    const rules = rulesets.flatMap((r) => r.rules);
    const all: Ruleset = { rules, byName: new Map(rules.map((r, i) => [`${r.name}-${i}`, r])), version: 'all', loadedAt: new Date() };
    gc();
    const before = process.memoryUsage().heapUsed;
    const evaluator = new Evaluator();
    await evaluator.prepare(all);
    gc();
    memory = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
    // Keep the evaluator alive until measured.
    if (!evaluator.modeOf(rules[0]!)) throw new Error('unreachable');
  } else {
    log('  (memory not measured: run node with --expose-gc)');
  }
  const median = later[2]!;
  log(`  compile 1,000 rules: first ${first.wall.toFixed(0)} ms (${first.cpu.toFixed(0)} ms CPU), ` +
    `then median ${median.wall.toFixed(0)} ms (${median.cpu.toFixed(0)} ms CPU); ` +
    `10,000 compiled rules hold ${memory === null ? '?' : memory.toFixed(1)} MB of heap`);
  return {
    compile1000FirstMs: first.wall,
    compile1000MedianMs: median.wall,
    compile1000FirstCpuMs: first.cpu,
    compile1000MedianCpuMs: median.cpu,
    memory10000Mb: memory,
  };
}
