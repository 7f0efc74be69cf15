import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const dashboard = JSON.parse(fs.readFileSync(path.join(ROOT, 'deploy/grafana/bank-dashboard.json'), 'utf8'));

/** Every `bank_*` metric name the apps register (quoted in their sources, tests aside). */
function registeredNames(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.includes('.test.')) {
        for (const m of fs.readFileSync(p, 'utf8').matchAll(/'(bank_[a-z0-9_]+)'/g)) names.add(m[1]!);
      }
    }
  };
  for (const dir of ['actors', 'command-api', 'event-source', 'projections', 'query-api', 'packages/service-kit']) {
    walk(path.join(ROOT, dir, 'src'));
  }
  return names;
}

describe('Grafana dashboard', () => {
  const exprs: string[] = dashboard.panels.flatMap((p: { targets?: { expr: string }[] }) =>
    (p.targets ?? []).map((t) => t.expr),
  );

  it('queries only metrics the apps export (a renamed metric breaks this test, not the dashboard)', () => {
    const known = registeredNames();
    const used = new Set(
      exprs.flatMap((e) =>
        [...e.matchAll(/\b(bank_[a-z0-9_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, '')),
      ),
    );
    expect(used.size).toBeGreaterThan(10);
    for (const name of used) expect([name, known.has(name)]).toEqual([name, true]);
  });

  it('uses a Prometheus data source chosen by variable, and has unique panel ids', () => {
    expect(dashboard.templating.list.find((v: { name: string }) => v.name === 'datasource')).toMatchObject({
      type: 'datasource',
      query: 'prometheus',
    });
    const ids = dashboard.panels.map((p: { id: number }) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
