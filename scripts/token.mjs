// `npm run --silent token -- --sub <id> --role <role>[,<role>...] [--ttl <seconds>]`: prints a
// token of the local stack's development issuer (only the token, on stdout), for curl:
//   curl -H "Authorization: Bearer $(npm run --silent token -- --sub alice --role customer)" ...
// The issuer's key lives in the data directory (BANK_DATA_DIR, default .data), as for `npm start`.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { mintToken, ROLES } from './stack/dev-issuer.mjs';
import { REPO_ROOT } from './stack/stack.mjs';

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  process.stderr.write(`token: ${message}\n`);
  process.stderr.write('usage: npm run --silent token -- --sub <id> --role <role>[,<role>...] [--ttl <seconds>]\n');
  process.stderr.write(`roles: ${ROLES.join(', ')}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: { sub: { type: 'string' }, role: { type: 'string' }, ttl: { type: 'string', default: '3600' } },
  }));
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
if (!values.sub || !/^[\x21-\x7e]{1,128}$/.test(values.sub)) fail('--sub must be 1-128 printable characters');
const roles = (values.role ?? '').split(',').filter(Boolean);
if (roles.length === 0) fail('--role is required');
const unknown = roles.filter((r) => !ROLES.includes(r));
if (unknown.length > 0) fail(`unknown role ${unknown.join(', ')}`);
const ttlSeconds = Number(values.ttl);
if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1) fail('--ttl must be a positive number of seconds');

const dataDir = path.resolve(process.env.BANK_DATA_DIR ?? path.join(REPO_ROOT, '.data'));
process.stdout.write(`${await mintToken(dataDir, { sub: values.sub, roles, ttlSeconds })}\n`);
