import type { Role } from '../domain/role.ts';
import type { Clock } from '../ports/clock.ts';
import type { CredentialBroker } from '../ports/credential-broker.ts';
import type { CredentialLog } from '../ports/credential-log.ts';
import type { CursorCodec } from '../ports/cursor-codec.ts';
import type { Ids } from '../ports/ids.ts';

/** The credential use cases' ports and the role registry; each declares the few it needs with a Pick. */
export interface CredentialDeps {
  /** The role registry, in the order users see it. */
  roles: readonly Role[];
  broker: CredentialBroker;
  credentialLog: CredentialLog;
  clock: Clock;
  ids: Ids;
  cursors: CursorCodec;
  /**
   * The longest session the broker can get, whatever a role allows (none: each role's own maximum): one hour where
   * the broker's own credentials are a role session, as a Lambda's are, since AWS caps chained sessions there.
   */
  sessionCapSeconds?: number;
}
