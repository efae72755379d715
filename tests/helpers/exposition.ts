import { spawnSync } from 'node:child_process';

/** One sample of a Prometheus text exposition: the value of `name` with exactly these labels, or undefined. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = (m[2] ?? '')
      .split(/,(?=[a-zA-Z_][a-zA-Z0-9_]*=")/)
      .filter((p) => p !== '')
      .sort()
      .join(',');
    if (got === wanted) return Number(m[3]);
  }
  return undefined;
}

/** `promtool check metrics` on an exposition: null when promtool is not installed, else its verdict. */
export function promtoolCheckMetrics(text: string): { ok: boolean; output: string } | null {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (run.error) return null;
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}
