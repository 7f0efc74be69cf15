import fs from 'node:fs';
import path from 'node:path';
import { ROOT, sourcesOf } from '../support/sources';

const dashboard = JSON.parse(fs.readFileSync(path.join(ROOT, 'deploy/grafana/bank-dashboard.json'), 'utf8'));

/** Every `bank_*` metric name the apps register (quoted in their sources, tests aside). */
function registeredNames(): Set<string> {
  const dirs = ['actors', 'command-api', 'event-source', 'projections', 'query-api', 'packages/service-kit'];
  const texts = dirs.flatMap(sourcesOf);
  return new Set(texts.flatMap((text) => [...text.matchAll(/'(bank_[a-z0-9_]+)'/g)].map((m) => m[1]!)));
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
