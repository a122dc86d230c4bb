"""One kernel's life: started in a process group of its own, interrupted, shut down, and killed with its group."""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Any, Callable, Optional

from .log import log

PR_SET_PDEATHSIG = 1


def parent_death_signal() -> Optional[Callable[[], None]]:
    """A Popen preexec_fn that has Linux SIGKILL the kernel when the runner dies, even by SIGKILL."""
    if not sys.platform.startswith('linux'):
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def die_with_parent() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the runner died before prctl took effect
            os._exit(1)

    return die_with_parent


class Kernel:
    """The kernel of one run, driven through nbclient's NotebookClient (`client`)."""

    def __init__(self, client: Any, name: str, spec_manager: type) -> None:
        self.client, self.name, self.spec_manager = client, name, spec_manager
        self.pgid: Optional[int] = None
        # Whether the kernel finished its last request normally, so it can be shut down politely.
        self.idle = False

    async def start(self) -> Optional[dict]:
        """Starts the kernel and a client of it; returns the kernel's language_info when it gave one."""
        began = time.monotonic()
        client = self.client
        # Only silences debugpy's "frozen modules" warning, which every kernel start prints to stderr.
        os.environ.setdefault('PYDEVD_DISABLE_FILE_VALIDATION', '1')
        client.km = client.kernel_manager_class(
            kernel_name=self.name, config=client.config, kernel_spec_manager=self.spec_manager())
        # The kernel's own stdout goes to stderr: the runner's stdout carries only the result.
        await client.async_start_new_kernel(stdout=sys.stderr.fileno(), preexec_fn=parent_death_signal())
        self.pgid = getattr(client.km.provisioner, 'pgid', None)
        await client.async_start_new_kernel_client()
        reply = await client.async_wait_for_reply(client.kc.kernel_info())
        self.idle = True
        log(f"kernel '{self.name}' ready in {time.monotonic() - began:.2f} s")
        return reply['content']['language_info'] if reply and 'language_info' in reply['content'] else None

    async def interrupt(self) -> None:
        """Sends the kernel an interrupt (SIGINT, or an interrupt request if its spec says so)."""
        await self.client.km.interrupt_kernel()

    def kill_group(self) -> None:
        """SIGKILLs the kernel's process group (the kernel and what it started); safe from any thread."""
        pgid = self.pgid
        if pgid and pgid != os.getpgrp():
            try:
                os.killpg(pgid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    async def shutdown(self, graceful: bool) -> None:
        """Shuts the kernel down, politely when `graceful` (it is healthy and idle), then kills what it left behind.

        A polite shutdown lets the notebook's atexit handlers run and its open files flush. It is
        done by hand because jupyter_client's own first sends SIGINT, which is pointless for an idle
        kernel. A polite shutdown takes 0.1-0.4 s; ipykernel 6.17 (Debian 12) deadlocks in a few
        percent of them, which waiting longer never cures, so SIGTERM comes after 1 s, not 2.5 s.
        """
        km, kc = self.client.km, self.client.kc
        try:
            if km is not None and km.has_kernel:
                if graceful:
                    await km.request_shutdown()
                    await km.finish_shutdown(waittime=2.0, pollinterval=0.02)
                    await km.cleanup_resources()
                else:
                    await km.shutdown_kernel(now=True)
            if kc is not None:
                kc.stop_channels()
        except Exception as exc:
            log(f'kernel shutdown: {exc!r}')
        finally:
            self.kill_group()
