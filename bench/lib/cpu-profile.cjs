// CPU profiles of the apps, written when each app exits. Node refuses `--cpu-prof` in
// NODE_OPTIONS, so this preload starts the V8 profiler through an in-process inspector session:
//
//   BANK_CPU_PROFILE_DIR=/tmp/profiles NODE_OPTIONS="--require $PWD/bench/lib/cpu-profile.cjs" \
//     npm run bench -- --quick
//
// Every process started with it that runs an app (`dist/index.js`) writes
// `<dir>/<app>.cpuprofile` when it exits (a kill -9 writes none; a restarted app overwrites
// its file); open it in Chrome DevTools (Performance tab) or any .cpuprofile viewer. Other
// processes (npm, the benchmark itself) are left alone.
'use strict';
const fs = require('node:fs');
const inspector = require('node:inspector');
const path = require('node:path');

const dir = process.env.BANK_CPU_PROFILE_DIR;
if (dir && process.argv[1] && process.argv[1].endsWith(path.join('dist', 'index.js'))) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  const app = path.basename(process.cwd());
  process.on('exit', () => {
    // The in-process session answers synchronously, so this completes before the process ends.
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${app}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
