import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, type ServiceProcess, startServiceProcess } from '../helpers/service-process';
import { makeTempDir } from '../helpers/test-app';

/**
 * The README's five-minute tour, run as written: its `sh` blocks, in order, in one bash, against a
 * freshly started service (its own port, store and copy of the shipped rules file). Every call must
 * answer what the README says: the status and reply piece of a `# → 409 \`...\`` comment, else 2xx.
 * The only change made to the text is the service's address on the `B=` line.
 */
jest.setTimeout(120_000);

const ROOT = path.join(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

interface Claim {
  /** Which curl call of the tour (0-based, in the order they run). */
  call: number;
  status: number;
  contains: string | null;
  line: string;
}

/** The tour's shell blocks: every ```sh block between its heading and the next one. */
function tourBlocks(): string[] {
  const section = /^## Five-minute tour\n([\s\S]*?)(?=^## )/m.exec(README)?.[1] ?? '';
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** The code part of a line (before a shell comment). */
const code = (line: string) => line.split(/(?:^|\s)#\s/)[0]!;

/** Each `→` comment belongs to the last curl call at or above it (a command may span lines). */
function claimsOf(script: string): { calls: number; claims: Claim[] } {
  let calls = 0;
  const claims: Claim[] = [];
  for (const line of script.split('\n')) {
    calls += [...code(line).matchAll(/(^|[\s;(|])curl\s/g)].length;
    const claim = /#.*→ (\d{3})(?:\D[^`]*`([^`]+)`)?/.exec(line);
    if (claim) claims.push({ call: calls - 1, status: Number(claim[1]), contains: claim[2] ?? null, line: line.trim() });
  }
  return { calls, claims };
}

const curlMissing = spawnSync('curl', ['--version'], { stdio: 'ignore' }).error !== undefined;

if (curlMissing) {
  it('is not run without curl', () => {
    console.log('README TOUR NOT RUN: curl is not installed (the tour is curl commands)');
    expect(curlMissing).toBe(true);
  });
} else describe('the README tour', () => {
  let service: ServiceProcess;
  let dir: string;

  beforeAll(async () => {
    dir = makeTempDir('shre-tour-');
    const rules = path.join(dir, 'self-healing-rules.json');
    fs.copyFileSync(path.join(ROOT, 'config', 'self-healing-rules.json'), rules);
    service = await startServiceProcess({
      SQLITE_PATH: path.join(dir, 'tour.db'),
      RULES_FILE: rules,
      // The README says nothing answers on the secondary model host: make sure of it.
      MODEL_HOST_SECONDARY: `http://127.0.0.1:${await freePort()}`,
      MODEL_HOST_PRIMARY: `http://127.0.0.1:${await freePort()}`,
    });
  });

  afterAll(async () => {
    await service?.stop();
  });

  it('answers every call as the README says', () => {
    const blocks = tourBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    const tour = blocks.join('\n');
    const address = /^B=http:\/\/127\.0\.0\.1:3080$/m;
    expect(tour).toMatch(address);
    const script = tour.replace(address, `B=${service.url}`);
    const { calls, claims } = claimsOf(script);
    expect(claims.map((c) => c.status)).toEqual(expect.arrayContaining([201, 409]));

    // Each curl call records its status and reply in the log folder; its output is the README's.
    const log = path.join(dir, 'calls');
    fs.mkdirSync(log);
    const prelude = [
      `TOUR_LOG=${JSON.stringify(log)}`,
      'curl() {',
      '  local out status n',
      '  out=$(command curl -w "\\n%{http_code}" "$@")',
      '  status=${out##*$\'\\n\'}; out=${out%$\'\\n\'*}',
      '  echo "$status" >> "$TOUR_LOG/status"',
      '  n=$(wc -l < "$TOUR_LOG/status")',
      '  printf "%s" "$out" > "$TOUR_LOG/reply.$((n - 1))"',
      '  printf "%s\\n" "$out"',
      '}',
    ].join('\n');
    const run = spawnSync('bash', ['-c', `${prelude}\n${script}`], { cwd: dir, encoding: 'utf8', timeout: 90_000 });
    expect({ exit: run.status, stderr: run.stderr }).toEqual({ exit: 0, stderr: '' });

    const statuses = fs.readFileSync(path.join(log, 'status'), 'utf8').trim().split('\n').map(Number);
    const reply = (call: number) => fs.readFileSync(path.join(log, `reply.${call}`), 'utf8');
    expect(statuses).toHaveLength(calls);
    const claimed = new Map(claims.map((c) => [c.call, c]));
    const wrong: string[] = [];
    statuses.forEach((status, call) => {
      const claim = claimed.get(call);
      if (claim) {
        if (status !== claim.status) wrong.push(`call ${call} (${claim.line}): ${status}, not ${claim.status}: ${reply(call).slice(0, 300)}`);
        else if (claim.contains && !reply(call).includes(claim.contains)) wrong.push(`call ${call} (${claim.line}): the reply has no ${claim.contains}: ${reply(call).slice(0, 300)}`);
      } else if (status < 200 || status > 299) {
        wrong.push(`call ${call}: ${status}: ${reply(call).slice(0, 300)}`);
      }
    });
    expect(wrong).toEqual([]);
  });
});
