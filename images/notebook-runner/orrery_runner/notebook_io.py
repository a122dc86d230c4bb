"""Reading and writing notebooks at paths (atomically) and http(s) URLs (presigned, with retries)."""

from __future__ import annotations

import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Optional

from .outcome import BadInput

HTTP_TIMEOUT_SECONDS = 60.0
HTTP_ATTEMPTS = 4
HTTP_RETRYABLE = {408, 425, 429, 500, 502, 503, 504}
NOTEBOOK_MEDIA_TYPE = 'application/x-ipynb+json'


def is_url(location: str) -> bool:
    """Is this an http(s) URL rather than a path?"""
    return urllib.parse.urlsplit(location).scheme in ('http', 'https')


def public_location(location: str) -> str:
    """The location without its query string, so presigned signatures never land in the notebook."""
    if not is_url(location):
        return os.path.abspath(location)
    parts = urllib.parse.urlsplit(location)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, '', ''))


def http_error_detail(exc: urllib.error.HTTPError) -> str:
    """The start of an error response's body (S3 puts its error code there), on one line."""
    try:
        return ' '.join(exc.read(300).decode('utf-8', 'replace').split())
    except OSError:
        return ''


def http_request(method: str, url: str, body: Optional[bytes] = None) -> bytes:
    """GET or PUT with retries on failures worth retrying; other 4xx fail at once."""
    headers = {'Content-Type': NOTEBOOK_MEDIA_TYPE} if body is not None else {}
    for attempt in range(1, HTTP_ATTEMPTS + 1):
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            detail = http_error_detail(exc)
            problem = f'{method} {public_location(url)} answered {exc.code} {exc.reason}: {detail}'
            if exc.code not in HTTP_RETRYABLE:
                raise OSError(problem) from None
        except (urllib.error.URLError, OSError) as exc:
            problem = f'{method} {public_location(url)} failed: {getattr(exc, "reason", exc)}'
        if attempt == HTTP_ATTEMPTS:
            raise OSError(f'{problem} (after {attempt} attempts)')
        time.sleep(0.5 * 2 ** (attempt - 1))
    raise AssertionError('unreachable')


def write_atomically(path: str, data: bytes, mode: int = 0o644) -> None:
    """Writes a file with `mode` so that readers see the old or the new content, never half of it."""
    directory, name = os.path.split(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix=f'.{name}.', suffix='.tmp', dir=directory)  # mkstemp makes it 0600
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(data)
        if mode != 0o600:
            os.chmod(temp, mode)  # outputs: the platform reads them as another step
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def read_location(location: str) -> bytes:
    """The bytes at a path, or at a URL (GET)."""
    if is_url(location):
        return http_request('GET', location)
    with open(location, 'rb') as handle:
        return handle.read()


def write_location(location: str, data: bytes) -> None:
    """Writes bytes to a path (atomically) or PUTs them to a URL."""
    if is_url(location):
        http_request('PUT', location, data)
    else:
        write_atomically(location, data)


def read_notebook(location: str, nbformat: Any) -> Any:
    """Loads and validates an nbformat 4 notebook (older ones are upgraded) or raises BadInput."""
    try:
        data = read_location(location)
    except OSError as exc:
        raise BadInput(f'cannot read the notebook at {public_location(location)}: {exc}') from None
    try:
        nb = nbformat.reads(data.decode('utf-8'), as_version=4)
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        raise BadInput(f'{public_location(location)} is not a valid nbformat 4 notebook: {exc.message}') from None
    except Exception as exc:  # nbformat raises several unrelated types for JSON that is not a notebook
        raise BadInput(f'{public_location(location)} is not a notebook: {type(exc).__name__}: {exc}') from None
    return nb
