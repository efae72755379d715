import { CODE_SCOPE, codeScope, type CompiledConditions, type Metrics } from './condition-compiler';

/** Rules per generated function: fewer `new Function` calls, and functions V8 still optimizes. */
const RULES_PER_CHUNK = 25;

/**
 * Collects a run's outcomes: a position for a rule that held, `~position` then the error for one
 * that threw.
 */
export type RunOutput = unknown[];

type Chunk = (vals: unknown[], marks: Uint32Array, g: number, out: RunOutput) => void;

/**
 * The compiled rules of one version as a few generated functions. Each snapshot's facts are read
 * once into an array (own properties only, as the engine's almanac sees them); each rule then runs
 * in its own block, only when the fact index marked it, and in its own try/catch: a rule that
 * throws is reported and the next one runs.
 */
export class RulesProgram {
  private readonly factIds = new Map<string, number>();
  private readonly chunks: Chunk[] = [];
  private readonly vals: unknown[];

  constructor(rules: { position: number; code: CompiledConditions }[]) {
    for (const { code } of rules) for (const f of code.facts) if (!this.factIds.has(f)) this.factIds.set(f, this.factIds.size);
    for (let i = 0; i < rules.length; i += RULES_PER_CHUNK) this.chunks.push(this.buildChunk(rules.slice(i, i + RULES_PER_CHUNK)));
    this.vals = new Array<unknown>(this.factIds.size).fill(undefined);
  }

  /** Runs the marked rules (marks[position] === g) against the metrics; synchronous, so `vals` can be reused. */
  run(metrics: Metrics, marks: Uint32Array, g: number): RunOutput {
    const vals = this.vals;
    vals.fill(undefined);
    for (const key of Object.keys(metrics)) {
      const id = this.factIds.get(key);
      if (id !== undefined) vals[id] = metrics[key];
    }
    const out: RunOutput = [];
    for (const chunk of this.chunks) chunk(vals, marks, g, out);
    return out;
  }

  private buildChunk(rules: { position: number; code: CompiledConditions }[]): Chunk {
    const bindings: string[] = [];
    const blocks: string[] = [];
    rules.forEach(({ position, code }, slot) => {
      const src = code.source(`p${slot}_`);
      bindings.push(...src.bindings(`ops[${slot}]`, `consts[${slot}]`));
      const reads = [...src.factVars].map(([name, v]) => `const ${v} = vals[${this.factIds.get(name)!}];`);
      blocks.push(
        `if (marks[${position}] === g) {`,
        '  try {',
        ...reads,
        ...src.statements,
        `    if (${src.result}) out.push(${position});`,
        `  } catch (e) { out.push(${~position}, e); }`,
        '}',
      );
    });
    const body = [
      '"use strict";',
      bindings.length ? `const ${bindings.join(', ')};` : '',
      'return function (vals, marks, g, out) {',
      ...blocks,
      '};',
    ].join('\n');
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const factory = new Function(...CODE_SCOPE, 'ops', 'consts', body) as (...args: unknown[]) => Chunk;
    return factory(
      ...codeScope(),
      rules.map((r) => r.code.ops),
      rules.map((r) => r.code.consts),
    );
  }
}

/** Walks a run's output in order: positions that held, and positions that threw with their error. */
export function readOutput(out: RunOutput, held: (position: number) => void, threw: (position: number, err: unknown) => void): void {
  for (let i = 0; i < out.length; i++) {
    const x = out[i] as number;
    if (x >= 0) held(x);
    else threw(~x, out[++i]);
  }
}
