// Builds the dashboard into dist/: one ES module bundle (esbuild, with preact inside) and the
// static files beside it. Nothing is fetched at run time: no CDN, no web fonts.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(root, 'dist');

fs.rmSync(dist, { recursive: true, force: true });
fs.mkdirSync(dist, { recursive: true });
await build({
  entryPoints: [path.join(root, 'src', 'main.tsx')],
  outfile: path.join(dist, 'app.js'),
  bundle: true,
  format: 'esm',
  target: 'es2020',
  minify: true,
  sourcemap: 'linked',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
for (const file of fs.readdirSync(path.join(root, 'static'))) {
  fs.copyFileSync(path.join(root, 'static', file), path.join(dist, file));
}
