"""nbformat, nbclient and jupyter_client, imported only when a run needs them, and the kernel to run."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any, Optional

from .outcome import INSTALL_HINT, EnvironmentMissing


@dataclass(frozen=True)
class Jupyter:
    """What the runner uses of Jupyter, as import_jupyter() found it."""

    nbformat: Any
    NotebookClient: type
    KernelSpecManager: type
    NoSuchKernel: type
    CellExecutionError: type
    CellTimeoutError: type
    DeadKernelError: type

    def serialize(self, nb: Any) -> bytes:
        """The notebook as nbformat writes it, without re-validating it on every save."""
        return self.nbformat.v4.writes(nb).encode('utf-8')

    def stderr_output(self, text: str) -> Any:
        """A stream output on stderr: how the output limiter says what it dropped."""
        return self.nbformat.v4.new_output('stream', name='stderr', text=text)


def import_jupyter() -> Jupyter:
    """Imports nbformat, nbclient and jupyter_client, or says what to install."""
    try:
        import nbformat
        import nbformat.v4
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    except ImportError as exc:
        raise EnvironmentMissing(f'{sys.executable} cannot import {exc.name or exc}. {INSTALL_HINT}') from None
    return Jupyter(
        nbformat=nbformat, NotebookClient=limited_client(NotebookClient),
        KernelSpecManager=installed_spec_manager(KernelSpecManager), NoSuchKernel=NoSuchKernel,
        CellExecutionError=CellExecutionError, CellTimeoutError=CellTimeoutError, DeadKernelError=DeadKernelError,
    )


def installed_spec_manager(base: type) -> type:
    """A KernelSpecManager that reads an installed kernel.json as it is.

    jupyter_client imports ipykernel into the runner to describe `python3`, in case that kernel is
    the runner's own interpreter; that costs 0.6 s on every run, and only matters when no
    kernel.json is installed, which the base class still handles.
    """

    class InstalledKernelSpecManager(base):  # type: ignore[valid-type, misc]
        def get_kernel_spec(self, kernel_name: str) -> Any:
            resource_dir = self.find_kernel_specs().get(kernel_name.lower())
            if resource_dir and os.path.isfile(os.path.join(resource_dir, 'kernel.json')):
                return self.kernel_spec_class.from_resource_dir(resource_dir)
            return super().get_kernel_spec(kernel_name)

    return InstalledKernelSpecManager


def limited_client(base: type) -> type:
    """A NotebookClient whose outputs pass through the run's OutputLimiter (`orrery_limiter`) as they arrive.

    As they arrive, not at save time: a loop that prints without end then holds a fixed amount of memory.
    """

    class LimitedNotebookClient(base):  # type: ignore[valid-type, misc]
        def output(self, outs: list, msg: dict, display_id: str, cell_index: int) -> Any:
            out = super().output(outs, msg, display_id, cell_index)
            limiter = getattr(self, 'orrery_limiter', None)
            if out is None or limiter is None:
                return out

            def forget_display(index: int) -> None:
                # A dropped output must not be the target of a later update_display_data.
                indices = getattr(self, '_display_id_map', {}).get(display_id, {}).get(cell_index, [])
                if index in indices:
                    indices.remove(index)

            return limiter.admit(outs, out, cell_index, forget_display)

        def clear_output(self, outs: list, msg: dict, cell_index: int) -> None:
            super().clear_output(outs, msg, cell_index)
            limiter = getattr(self, 'orrery_limiter', None)
            if limiter is not None:
                limiter.reconcile(outs, appended=False)

    return LimitedNotebookClient


def kernel_name_for(requested: Optional[str], metadata: Any) -> str:
    """The kernel to run: --kernel, else the notebook's kernelspec, else python3."""
    kernelspec = metadata.get('kernelspec') or {}
    return requested or kernelspec.get('name') or 'python3'


def installed_kernel(name: str, jupyter: Jupyter) -> Any:
    """The kernelspec of an installed kernel, or EnvironmentMissing that lists the installed ones."""
    manager = jupyter.KernelSpecManager()
    try:
        return manager.get_kernel_spec(name)
    except jupyter.NoSuchKernel:
        installed = ', '.join(sorted(manager.find_kernel_specs())) or 'none'
        raise EnvironmentMissing(
            f"kernel '{name}' is not installed for {sys.executable} (installed: {installed}). "
            'Install it (for Python: `apt-get install python3-ipykernel` or `pip install ipykernel`) '
            'or choose another with --kernel.'
        ) from None


def resolve_kernel(requested: Optional[str], nb: Any, jupyter: Jupyter) -> str:
    """The kernel to run, which must be installed; a requested one is named in the output's kernelspec."""
    name = kernel_name_for(requested, nb.metadata)
    spec = installed_kernel(name, jupyter)
    if requested:
        nb.metadata['kernelspec'] = {'name': name, 'display_name': spec.display_name, 'language': spec.language}
    return name
