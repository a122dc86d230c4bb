"""A run's AWS role: the runner serves its keys to the kernel (../README.md, "AWS credentials for notebooks").

The platform sets `ORRERY_RUN_ROLE` (the role's name), `ORRERY_API_URL`, `ORRERY_RUN_ID` and `ORRERY_RUN_TOKEN` for a
run with a role. The runner takes the token, role and URL out of its environment before the kernel starts (the
kernel inherits that environment), starts the credentials server (`credentials_api.start_for_run`), and gives the
kernel the server's two variables instead. Standard library only, Python >= 3.9.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, MutableMapping, Optional

from .credentials_api import start_for_run
from .log import log
from .outcome import BadInput

ROLE_VARIABLE = 'ORRERY_RUN_ROLE'
API_URL_VARIABLE = 'ORRERY_API_URL'
RUN_ID_VARIABLE = 'ORRERY_RUN_ID'
TOKEN_VARIABLE = 'ORRERY_RUN_TOKEN'
# What the SDKs' default chains read before the container provider (environment keys, web identity, a profile) or
# instead of this server (another container endpoint, Pod Identity's): the kernel of a run with a role gets the
# role's keys and nothing that would shadow them.
SHADOWING_VARIABLES = (
    'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_PROFILE',
    'AWS_DEFAULT_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN', 'AWS_ROLE_SESSION_NAME',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'AWS_CONTAINER_AUTHORIZATION_TOKEN', 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
)
# A shared credentials file (~/.aws/credentials: a developer's own keys, locally) comes before the container provider
# in botocore's chain and the JS SDK's: the kernel reads an empty one instead. AWS_CONFIG_FILE (regions) stays.
SHARED_CREDENTIALS_VARIABLE = 'AWS_SHARED_CREDENTIALS_FILE'


@dataclass(frozen=True)
class RunCredentials:
    """What the runner needs to fetch its run's keys: the role (for the log), the API, the run and its token."""

    role: str
    api_url: str
    run_id: str
    token: str

    def __repr__(self) -> str:  # the token never reaches a log or a traceback
        return f'RunCredentials(role={self.role!r}, api_url={self.api_url!r}, run_id={self.run_id!r})'


def take_run_credentials(environ: MutableMapping[str, str]) -> Optional[RunCredentials]:
    """The run's credential settings, removed from `environ`; None for a run without a role.

    The token, role and URL are removed whether or not a role is set, so a kernel never inherits a stray token;
    the run id stays (locally it marks every process of the run, the kernel's included, for cleanup).
    """
    token = environ.pop(TOKEN_VARIABLE, '')
    role = environ.pop(ROLE_VARIABLE, '')
    api_url = environ.pop(API_URL_VARIABLE, '')
    run_id = environ.get(RUN_ID_VARIABLE, '')
    if not role:
        return None
    missing = [name for name, value in ((API_URL_VARIABLE, api_url), (RUN_ID_VARIABLE, run_id),
                                        (TOKEN_VARIABLE, token)) if not value]
    if missing:
        raise BadInput(f'{ROLE_VARIABLE} is set but {", ".join(missing)} is not: the run cannot fetch its keys')
    return RunCredentials(role, api_url, run_id, token)


def serve_run_credentials(credentials: Optional[RunCredentials], kernel_cwd: str,
                          environ: MutableMapping[str, str],
                          start: Callable[..., Any] = start_for_run) -> Optional[Any]:
    """Starts the credentials server for the kernel and sets the kernel's environment; returns it to close().

    None for a run without a role (the environment is left as it is). The first keys are fetched when the kernel
    first asks, so a run that never calls AWS never assumes the role.
    """
    if credentials is None:
        return None
    try:
        server, variables = start(credentials.api_url, credentials.run_id, credentials.token, kernel_cwd)
    except (OSError, ValueError) as exc:
        raise BadInput(f"could not serve role '{credentials.role}' to the kernel: {exc}") from None
    for name in SHADOWING_VARIABLES:
        environ.pop(name, None)
    environ[SHARED_CREDENTIALS_VARIABLE] = os.devnull
    environ.update(variables)
    log(f"serving role '{credentials.role}' to the kernel on {server.url}")
    return server
