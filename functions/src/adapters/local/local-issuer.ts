import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import { UnauthorizedError } from '../../domain/errors.ts';
import { readJson, writeJson } from './data-folder.ts';

/** Issuer and audience of local tokens; the cloud uses its IdP's. */
export const LOCAL_ISSUER = 'orrery-local';
/** The audience local tokens are minted for. */
export const LOCAL_AUDIENCE = 'orrery';

interface Secrets {
  signingKey: JWK;
  cursorSecret: string;
}

type Key = Awaited<ReturnType<typeof importJWK>>;

// Every request re-presents the same few tokens; an ES256 check costs more than the listing it guards.
const MAX_CACHED_TOKENS = 1000;

/** Local mode's JWT issuer: an ES256 key kept in the data folder, and the same checks the cloud authorizer makes. */
export class LocalIssuer {
  private constructor(
    private readonly privateKey: Key,
    private readonly publicKey: Key,
    /** The secret that seals list cursors, kept with the signing key. */
    readonly cursorSecret: string,
  ) {}

  /** Tokens whose signature and claims were checked, by their exact text; expiry is checked again on each use. */
  private readonly verified = new Map<string, JWTPayload>();

  /** Loads the key from `secrets.json`, making it (and the cursor secret) on first start. */
  static async open(secretsFile: string): Promise<LocalIssuer> {
    let secrets = readJson<Secrets | null>(secretsFile, null);
    if (!secrets) {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      secrets = {
        signingKey: { ...(await exportJWK(privateKey)), alg: 'ES256' },
        cursorSecret: randomBytes(32).toString('base64url'),
      };
      writeJson(secretsFile, secrets);
    }
    const { d: _d, ...publicJwk } = secrets.signingKey;
    return new LocalIssuer(
      await importJWK(secrets.signingKey, 'ES256'),
      await importJWK(publicJwk, 'ES256'),
      secrets.cursorSecret,
    );
  }

  /** Signs a token for a subject with the given claims, expiring `ttlSeconds` from now (negative: already expired). */
  async issue(subject: string, claims: JWTPayload, ttlSeconds: number): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
      .setSubject(subject)
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(this.privateKey);
  }

  /** Verifies signature, issuer, audience and expiry (ES256 only, so `alg: none` never passes). */
  async verify(token: string): Promise<JWTPayload> {
    const known = this.verified.get(token);
    if (known) {
      if (Number(known.exp) > Math.floor(Date.now() / 1000)) return known;
      this.verified.delete(token);
    }
    const payload = await this.check(token);
    if (this.verified.size >= MAX_CACHED_TOKENS) this.verified.clear();
    this.verified.set(token, payload);
    return payload;
  }

  private async check(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        issuer: LOCAL_ISSUER,
        audience: LOCAL_AUDIENCE,
        algorithms: ['ES256'],
        requiredClaims: ['exp', 'sub'],
      });
      return payload;
    } catch (err) {
      const reason =
        (err as { code?: string }).code === 'ERR_JWT_EXPIRED'
          ? 'the token has expired; get a new one'
          : 'the token is not valid here';
      throw new UnauthorizedError(reason);
    }
  }
}
