import { useId, useState } from 'react';
import type { IssuedCredentials } from '../api-client.ts';
import {
  CHECKOUT_PLACEHOLDER,
  countdownText,
  credentialProcessBlock,
  exportLines,
  profileBlock,
  profileName,
  secondsLeft,
} from '../credential-text.ts';
import { formatDateTime } from '../format.ts';
import { useInterval } from '../use-async.ts';
import { CopyBlock } from './copy-block.tsx';

/** Ticks every second until `expiration`, and returns the seconds left. */
const useSecondsLeft = (expiration: string): number => {
  const [now, setNow] = useState(() => Date.now());
  const left = secondsLeft(expiration, now);
  useInterval(() => setNow(Date.now()), left > 0 ? 1000 : null);
  return left;
};

/**
 * Keys just issued: what they are for, a live countdown to their expiry, and three ways to use them (shell exports,
 * a `~/.aws/credentials` profile, a credential_process profile that fetches fresh keys itself). Shown once; the
 * keys live in this component's props only (never the URL, storage or the console).
 */
export const CredentialKeys = ({ keys, apiUrl }: { keys: IssuedCredentials; apiUrl: string }) => {
  const id = useId();
  const left = useSecondsLeft(keys.expiration);
  const expired = left === 0;
  return (
    <section className="card credential-card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Keys for {keys.role}</h2>
      <dl className="facts">
        <dt>Account</dt>
        <dd>{keys.account}</dd>
        <dt>Access key ID</dt>
        <dd>
          <code>{keys.accessKeyId}</code>
        </dd>
        <dt>Source identity</dt>
        <dd>
          <code>{keys.sourceIdentity}</code> <span className="muted small">(what CloudTrail shows for every call)</span>
        </dd>
        <dt>Expires</dt>
        <dd>
          <span role="timer" className={`countdown${expired ? ' countdown-expired' : ''}`}>
            {countdownText(left)}
          </span>{' '}
          <span className="muted">(at {formatDateTime(keys.expiration)})</span>
        </dd>
      </dl>
      {/* The timer is not read out each second; its end is, once. */}
      <p className="visually-hidden" role="status">
        {expired ? `The keys for ${keys.role} have expired.` : ''}
      </p>
      {expired ? (
        <p className="notice">These keys have expired: get new ones above, or use the credential_process profile.</p>
      ) : null}
      <CopyBlock title="Shell" what="export lines" text={exportLines(keys)}>
        <p className="hint">Paste into a terminal; the AWS CLI and SDKs started from it use these keys.</p>
      </CopyBlock>
      <CopyBlock title="~/.aws/credentials" what="credentials profile" text={profileBlock(keys)}>
        <p className="hint">
          Add to <code>~/.aws/credentials</code>, then use <code>--profile {profileName(keys.role)}</code> or{' '}
          <code>AWS_PROFILE={profileName(keys.role)}</code>.
        </p>
      </CopyBlock>
      <CopyBlock
        title="credential_process"
        what="credential_process profile"
        text={credentialProcessBlock(keys.role, apiUrl)}
      >
        <p className="hint">
          Add to <code>~/.aws/config</code> instead, and the CLI and SDKs fetch fresh keys themselves when these run
          out. Replace <code>{CHECKOUT_PLACEHOLDER}</code> with the absolute path of an Orrery checkout, and give the
          helper your token: <code>ORRERY_TOKEN</code>, or <code>ORRERY_TOKEN_FILE</code> naming a file that holds it.
        </p>
      </CopyBlock>
    </section>
  );
};
