import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KEYS } from '../helpers/api-keys';
import { makeTempDir } from '../helpers/test-app';

/**
 * The Prometheus files in docs/prometheus, exactly as shipped, pass promtool: a person copies them
 * and starts Prometheus. Needs only promtool (.ci/prometheus.sh installs it with the prometheus
 * package); without it the file says so and asserts nothing.
 */
const DOCS = path.join(__dirname, '..', '..', 'docs', 'prometheus');
const promtoolMissing = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).error !== undefined;

function promtool(args: string[], cwd: string): { ok: boolean; output: string } {
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Rule files: the YAML files with a `groups:` list (the unit tests of rules have `rule_files:` instead). */
const ruleFiles = fs.readdirSync(DOCS).filter((f) => /\.ya?ml$/.test(f) && /^groups:/m.test(fs.readFileSync(path.join(DOCS, f), 'utf8')));

if (promtoolMissing) {
  it('is not run without promtool', () => {
    console.log('PROMETHEUS EXAMPLES NOT CHECKED: promtool is not installed (.ci/prometheus.sh installs it with apt)');
    expect(promtoolMissing).toBe(true);
  });
} else {
  describe('docs/prometheus as shipped', () => {
    it('prometheus.yml passes promtool check config, in place, with no other file beside it', () => {
      expect(promtool(['check', 'config', 'prometheus.yml'], DOCS)).toMatchObject({ ok: true });
    });

    it('every rule file passes promtool check rules', () => {
      expect(ruleFiles).toContain('alerting-rules.yml');
      for (const file of ruleFiles) expect({ file, ...promtool(['check', 'rules', file], DOCS) }).toMatchObject({ file, ok: true });
    });

    it('with keys: its commented authorization, uncommented beside a key file, passes too', () => {
      const dir = makeTempDir('shre-prometheus-examples-');
      fs.cpSync(DOCS, dir, { recursive: true });
      const text = fs.readFileSync(path.join(dir, 'prometheus.yml'), 'utf8');
      const keyed = text.replace(/^(\s*)# (authorization:|\s+type: Bearer|\s+credentials_file: self-healing-viewer\.key)$/gm, '$1$2');
      expect(keyed).toMatch(/^ {4}authorization:\n {6}type: Bearer\n {6}credentials_file: self-healing-viewer\.key$/m);
      fs.writeFileSync(path.join(dir, 'prometheus.yml'), keyed);
      // Without the key file Prometheus refuses the config; with it, it passes.
      expect(promtool(['check', 'config', 'prometheus.yml'], dir).ok).toBe(false);
      fs.writeFileSync(path.join(dir, 'self-healing-viewer.key'), `${KEYS.viewer}\n`);
      expect(promtool(['check', 'config', 'prometheus.yml'], dir)).toMatchObject({ ok: true });
    });
  });
}
