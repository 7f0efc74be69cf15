/** What the deployment tests read of the apps' code: their TypeScript sources, tests aside. */
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

/** The text of every non-test `.ts` file under `<dir>/src` (dir relative to the repository). */
export function sourcesOf(dir: string): string[] {
  const texts: string[] = [];
  const walk = (at: string) => {
    for (const e of fs.readdirSync(at, { withFileTypes: true })) {
      const p = path.join(at, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.includes('.test.')) texts.push(fs.readFileSync(p, 'utf8'));
    }
  };
  walk(path.join(ROOT, dir, 'src'));
  return texts;
}
