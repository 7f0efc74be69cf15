/**
 * Real tokens of the test stack's development issuer (its key is in the stack's data directory;
 * scripts/stack/dev-issuer.mjs). Every end-to-end request carries one.
 */
import fs from 'node:fs';
import { importJWK, SignJWT, type JWK, type KeyLike } from 'jose';

export type Role = 'customer' | 'teller' | 'auditor' | 'admin';

let key: Promise<{ key: KeyLike | Uint8Array; kid: string }> | undefined;
const issuerKey = () =>
  (key ??= (async () => {
    const jwk = JSON.parse(fs.readFileSync(process.env.BANK_TEST_ISSUER_KEY!, 'utf8')) as JWK & { kid: string };
    return { key: await importJWK(jwk, 'ES256'), kid: jwk.kid };
  })());

/** A token for `sub` with `roles`, valid an hour; `claims` and `expiresAt` (epoch seconds) override (to forge). */
export async function tokenFor(
  sub: string,
  roles: Role[],
  opts: { claims?: Record<string, unknown>; expiresAt?: number } = {},
): Promise<string> {
  const { key: k, kid } = await issuerKey();
  const now = Math.floor(Date.now() / 1000);
  const exp = opts.expiresAt ?? now + 3600;
  const payload = {
    sub,
    roles,
    iss: process.env.BANK_TEST_ISSUER!,
    aud: process.env.BANK_TEST_AUDIENCE!,
    iat: now,
    exp,
    ...opts.claims,
  };
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid }).sign(k);
}

/** The `Authorization` header for `sub` with `roles`. */
export const bearer = async (sub: string, roles: Role[], expiresAt?: number) => ({
  authorization: `Bearer ${await tokenFor(sub, roles, { expiresAt })}`,
});

/**
 * The principal of the tests that are not about authorization: the bank's staff (teller,
 * auditor and admin at once), so every route answers it.
 */
let staff: Promise<{ authorization: string }> | undefined;
export const staffBearer = () =>
  (staff ??= bearer('e2e-staff', ['teller', 'auditor', 'admin'], Math.floor(Date.now() / 1000) + 6 * 3600));
