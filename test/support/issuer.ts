/**
 * A token issuer for tests of an app's HTTP layer without the stack: a fresh ES256 key pair, the
 * app's verifier for it, and real signed tokens. (End-to-end tests use the stack's development
 * issuer instead: test/e2e/auth.ts.)
 */
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createTokenVerifier, type Role, type TokenVerifier } from '../../packages/service-kit/src/auth';

export const TEST_ISSUER = 'urn:test-issuer';
export const TEST_AUDIENCE = 'urn:test-audience';

export type TestIssuer = {
  verifyToken: TokenVerifier;
  token(sub: string, roles: Role[]): Promise<string>;
  /** `Authorization` header for `sub` with `roles`. */
  bearer(sub: string, roles: Role[]): Promise<{ authorization: string }>;
};

export async function createTestIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test', alg: 'ES256' };
  const verifyToken = createTokenVerifier({
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    keys: createLocalJWKSet({ keys: [jwk] }),
  });
  const token = (sub: string, roles: Role[]) =>
    new SignJWT({ roles })
      .setProtectedHeader({ alg: 'ES256', kid: 'test' })
      .setSubject(sub)
      .setIssuer(TEST_ISSUER)
      .setAudience(TEST_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
  return { verifyToken, token, bearer: async (sub, roles) => ({ authorization: `Bearer ${await token(sub, roles)}` }) };
}
