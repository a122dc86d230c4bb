"""The keys a container-credentials server hands out, and the cache that decides when to fetch new ones.

The cache serves keys while more than botocore's refresh margin is left, fetches one at a time (other requests wait
for that fetch), keeps serving through a short upstream failure, and stops for good once the token is dead.
Standard library only, Python >= 3.9.
"""

from __future__ import annotations

import datetime
import re
import threading
import time
from typing import Any, Callable, Optional, Tuple

# botocore refreshes keys with 15 minutes left (the JS SDK with 5): keys served with more left are never refreshed
# again at once, so the cache keeps keys only while more than this remains.
REFRESH_BEFORE_SECONDS = 15 * 60
# Keys that came with 15 minutes or less serve from the cache for this long before they are fetched again.
REFETCH_AFTER_SECONDS = 30.0
# Cached keys still serve through an upstream failure (the API or STS blinking) while they have this much left;
# closer to their end the client gets a 503 instead, which says why.
SERVE_THROUGH_FAILURE_SECONDS = 60
# After a failed refresh, requests that can be served from the cache do not refetch for this long, so a client that
# asks on every call (botocore in its advisory window) does not turn an API outage into a flood.
FAILURE_BACKOFF_SECONDS = 5.0


class TokenDead(Exception):
    """The API refused the server's or run's token (401/403/404): no keys will come again."""


class FetchFailed(Exception):
    """The API could not give keys now (unreachable, timed out, 429, 5xx, an answer that is not keys)."""


class Keys:
    """One set of keys, when they expire (aware UTC datetime), and the role and account they are for (if told)."""

    __slots__ = ('access_key_id', 'secret_access_key', 'session_token', 'expiration', 'role', 'account')

    def __init__(self, access_key_id: str, secret_access_key: str, session_token: str,
                 expiration: datetime.datetime, role: Optional[str] = None, account: Optional[str] = None) -> None:
        self.access_key_id, self.secret_access_key = access_key_id, secret_access_key
        self.session_token, self.expiration = session_token, expiration
        self.role, self.account = role, account

    def seconds_left(self, now: float) -> float:
        """Seconds until these keys expire, at epoch time `now`."""
        return self.expiration.timestamp() - now

    def answer(self) -> dict:
        """The container-credentials answer, with Expiration as RFC 3339 UTC with Z (what every SDK parses)."""
        return {'AccessKeyId': self.access_key_id, 'SecretAccessKey': self.secret_access_key,
                'Token': self.session_token, 'Expiration': self.expiration.strftime('%Y-%m-%dT%H:%M:%SZ')}

    def status(self, now: float) -> dict:
        """What the keys are for and until when, without the keys: safe to show anyone who may see the server."""
        return {'role': self.role, 'account': self.account,
                'expiration': self.expiration.strftime('%Y-%m-%dT%H:%M:%SZ'),
                'secondsLeft': max(0, int(self.seconds_left(now)))}


ISO_8601 = re.compile(r'(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|z|[+-]\d\d:?\d\d)$')


def parse_expiration(text: Any) -> datetime.datetime:
    """An ISO-8601 time with Z or an offset (the API's, from JavaScript's toISOString) as aware UTC.

    By hand, not datetime.fromisoformat: Python 3.9 and 3.10 (the profiles' images) read neither Z nor
    milliseconds.
    """
    match = ISO_8601.match(text) if isinstance(text, str) else None
    if not match:
        raise FetchFailed(f'the API answered an expiration that is not an ISO-8601 time: {str(text)[:40]!r}')
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or '0')[:6].ljust(6, '0'))
    offset = datetime.timedelta(0)
    if zone not in ('Z', 'z'):
        digits = zone[1:].replace(':', '')
        offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        offset = -offset if zone[0] == '-' else offset
    local = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro,
                              tzinfo=datetime.timezone(offset))
    return local.astimezone(datetime.timezone.utc)


def keys_of(payload: Any) -> Keys:
    """Keys from the API's answer `{accessKeyId, secretAccessKey, sessionToken, expiration, ...}`."""
    if not isinstance(payload, dict):
        raise FetchFailed('the API answered something that is not a JSON object')
    fields = ('accessKeyId', 'secretAccessKey', 'sessionToken')
    missing = [name for name in fields if not isinstance(payload.get(name), str) or not payload[name]]
    if missing:
        raise FetchFailed(f'the API answered without {", ".join(missing)}')
    text = {name: payload[name] if isinstance(payload.get(name), str) else None for name in ('role', 'account')}
    return Keys(payload['accessKeyId'], payload['secretAccessKey'], payload['sessionToken'],
                parse_expiration(payload.get('expiration')), text['role'], text['account'])


class CredentialCache:
    """Keys from `fetch()`, kept while more than 15 minutes remain; one fetch at a time, the others wait for it."""

    def __init__(self, fetch: Callable[[], Any], clock: Callable[[], float] = time.time,
                 log: Callable[[str], None] = lambda _message: None) -> None:
        self._fetch, self._clock, self._log = fetch, clock, log
        self._lock = threading.Lock()
        self._keys: Optional[Keys] = None
        self._dead = False
        # Every fetch (done or failed) bumps the generation; a request that waited for the lock while one ran
        # takes that fetch's outcome instead of fetching again (keys that came with < 15 minutes left included).
        self._generation = 0
        self._outcome: Tuple[Optional[Keys], Optional[Exception]] = (None, None)
        self._failed_at: Optional[float] = None
        self._fetched_at = float('-inf')

    def get(self) -> Keys:
        """Keys to serve now; raises TokenDead (answer 403) or FetchFailed (answer 503)."""
        keys = self._keys
        if self._dead:
            raise TokenDead('the token of this server or run is no longer valid')
        if self._fresh(keys):
            return keys
        seen = self._generation
        with self._lock:
            if self._dead:
                raise TokenDead('the token of this server or run is no longer valid')
            keys = self._keys
            if self._fresh(keys):
                return keys  # refreshed between the look above and the lock
            if self._generation != seen:
                fetched, error = self._outcome
            elif self._backing_off():
                fetched, error = None, FetchFailed('the last refresh failed moments ago')
            else:
                fetched, error = self._fetch_now()
            if fetched is not None:
                return fetched
            return self._through_failure(error)

    def refresh(self) -> Keys:
        """New keys now, whatever the cached ones have left (after a role switch, or when asked).

        Raises TokenDead or FetchFailed (the cached keys stay and still serve). Requests that waited for the lock
        while another fetch ran take that fetch's outcome: a burst of clicks makes one call to the API.
        """
        seen = self._generation
        with self._lock:
            if self._dead:
                raise TokenDead('the token of this server or run is no longer valid')
            fetched, error = self._outcome if self._generation != seen else self._fetch_now()
            if fetched is None:
                raise error if error is not None else FetchFailed('no keys')
            return fetched

    def now(self) -> float:
        """The cache's clock (epoch seconds)."""
        return self._clock()

    def _fresh(self, keys: Optional[Keys]) -> bool:
        """Whether cached keys serve without a fetch: more than 15 minutes left, or fetched moments ago.

        The second rule is for keys that come with 15 minutes or less (STS's shortest session is 15 minutes):
        without it every request would go to the API.
        """
        if keys is None:
            return False
        now = self._clock()
        left = keys.seconds_left(now)
        return left > REFRESH_BEFORE_SECONDS or (
            now - self._fetched_at < REFETCH_AFTER_SECONDS and left > SERVE_THROUGH_FAILURE_SECONDS)

    def _backing_off(self) -> bool:
        """Whether a refresh failed moments ago and the cached keys can still serve."""
        return (self._failed_at is not None and self._clock() - self._failed_at < FAILURE_BACKOFF_SECONDS
                and self._servable_through_failure())

    def _fetch_now(self) -> Tuple[Optional[Keys], Optional[Exception]]:
        """Calls fetch() once (under the lock) and records its outcome for the requests that waited."""
        try:
            fetched, error = keys_of(self._fetch()), None
            self._keys, self._failed_at, self._fetched_at = fetched, None, self._clock()
        except TokenDead as exc:
            fetched, error = None, exc
            self._dead, self._keys = True, None
            self._log(f'the API refused the token ({exc}): keys dropped, every request is refused from now on')
        except FetchFailed as exc:
            fetched, error = None, exc
            self._failed_at = self._clock()
            self._log(f'refresh failed: {exc}')
        except Exception as exc:  # a fetch that broke in an unforeseen way is an upstream failure, not a crash
            fetched, error = None, FetchFailed(f'{type(exc).__name__}: {str(exc)[:200]}')
            self._failed_at = self._clock()
            self._log(f'refresh failed: {error}')
        self._generation += 1
        self._outcome = (fetched, error)
        return fetched, error

    def _servable_through_failure(self) -> bool:
        keys = self._keys
        return keys is not None and keys.seconds_left(self._clock()) > SERVE_THROUGH_FAILURE_SECONDS

    def _through_failure(self, error: Optional[Exception]) -> Keys:
        """After a failed fetch: the cached keys while they last, else the failure itself."""
        if isinstance(error, TokenDead):
            raise error
        if self._servable_through_failure() and self._keys is not None:
            return self._keys
        raise error if error is not None else FetchFailed('no keys')
