"""The kernel chosen, and the two Jupyter classes the runner adapts (checked against stand-in base classes)."""

import json

import pytest

from orrery_runner.jupyter import installed_spec_manager, kernel_name_for, limited_client
from orrery_runner.output_limits import OutputLimiter


@pytest.mark.parametrize('requested, metadata, name', [
    ('ir', {'kernelspec': {'name': 'python3'}}, 'ir'),
    (None, {'kernelspec': {'name': 'julia-1.10'}}, 'julia-1.10'),
    (None, {'kernelspec': {}}, 'python3'),
    (None, {'kernelspec': None}, 'python3'),
    (None, {}, 'python3'),
])
def test_the_kernel_is_the_requested_one_else_the_notebooks_else_python3(requested, metadata, name):
    # Act
    chosen = kernel_name_for(requested, metadata)
    # Assess
    assert chosen == name


class FakeNotebookClient:
    """nbclient's NotebookClient as far as the limiter's hooks go: output() appends, clear_output() empties."""

    def __init__(self):
        self._display_id_map = {}

    def output(self, outs, msg, display_id, cell_index):
        out = msg['content']
        outs.append(out)
        if display_id:
            self._display_id_map.setdefault(display_id, {}).setdefault(cell_index, []).append(len(outs) - 1)
        return out

    def clear_output(self, outs, msg, cell_index):
        outs.clear()


def marker(text):
    return {'output_type': 'stream', 'name': 'stderr', 'text': text}


def display(size):
    return {'content': {'output_type': 'display_data', 'metadata': {}, 'data': {'image/png': 'i' * size}}}


def test_outputs_pass_through_the_limiter_and_a_dropped_one_leaves_nbclients_display_map():
    # Prepare
    client = limited_client(FakeNotebookClient)()
    client.orrery_limiter = OutputLimiter(4_000, 5_000, marker)
    outs = []
    # Act
    kept = client.output(outs, display(3_000), 'plot', 0)
    dropped = client.output(outs, display(3_000), 'plot', 0)
    # Assess
    assert kept is outs[0] and dropped is None
    assert [o['output_type'] for o in outs] == ['display_data', 'stream']
    assert client._display_id_map == {'plot': {0: [0]}}


def test_a_cleared_output_gives_the_limiter_its_space_back_at_once():
    # Prepare
    client = limited_client(FakeNotebookClient)()
    client.orrery_limiter = OutputLimiter(4_000, 5_000, marker)
    first, second = [], []
    client.output(first, display(3_000), None, 0)
    # Act: the next output comes from another cell, so only the clear itself can return the space.
    client.clear_output(first, {}, 0)
    kept = client.output(second, display(3_000), None, 1)
    # Assess
    assert kept is second[0] and len(second) == 1
    assert client.orrery_limiter.summary() is None


def test_without_a_limiter_the_client_behaves_as_nbclients():
    # Prepare
    client = limited_client(FakeNotebookClient)()
    outs = []
    # Act
    outs_returned = [client.output(outs, display(100_000), None, 0) for _ in range(3)]
    # Assess
    assert len(outs) == 3 and outs_returned == outs


class FakeSpec:
    def __init__(self, source):
        self.source = source

    @classmethod
    def from_resource_dir(cls, resource_dir):
        return cls(('kernel.json', resource_dir))


class FakeSpecManager:
    """jupyter_client's KernelSpecManager as far as get_kernel_spec goes."""

    kernel_spec_class = FakeSpec

    def __init__(self, specs):
        self.specs = specs

    def find_kernel_specs(self):
        return self.specs

    def get_kernel_spec(self, kernel_name):
        return FakeSpec(('base', kernel_name))


def test_an_installed_kernel_json_is_read_as_it_is_and_anything_else_is_left_to_jupyter_client(tmp_path):
    # Prepare
    installed = tmp_path / 'python3'
    installed.mkdir()
    (installed / 'kernel.json').write_text(json.dumps({'argv': ['python3'], 'display_name': 'Python 3'}))
    manager = installed_spec_manager(FakeSpecManager)({'python3': str(installed), 'empty': str(tmp_path / 'none')})
    # Act
    sources = [manager.get_kernel_spec(name).source for name in ('Python3', 'empty', 'ir')]
    # Assess
    assert sources == [('kernel.json', str(installed)), ('base', 'empty'), ('base', 'ir')]
