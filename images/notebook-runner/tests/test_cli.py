"""The command line: options, their checks, and the environment variables that stand in for the locations."""

import os

import pytest

from orrery_runner.cli import URL_VARIABLES, parse_args
from orrery_runner.outcome import BadInput


def locations(tmp_path):
    return ['--input', str(tmp_path / 'in.ipynb'), '--output', str(tmp_path / 'out.ipynb')]


def test_locations_come_from_the_environment_and_leave_it(tmp_path):
    # Prepare
    environ = {'ORRERY_INPUT_URL': 'https://bucket/in.ipynb?X-Amz-Signature=s',
               'ORRERY_OUTPUT_URL': 'https://bucket/out', 'HOME': '/home/x'}
    # Act
    options = parse_args(['--cwd', str(tmp_path)], environ)
    # Assess
    assert options.input == 'https://bucket/in.ipynb?X-Amz-Signature=s'
    assert options.output == 'https://bucket/out'
    assert environ == {'HOME': '/home/x'}


def test_the_variables_leave_the_environment_even_when_the_options_are_given(tmp_path):
    # Prepare
    environ = {'ORRERY_INPUT_URL': 'https://bucket/other', 'ORRERY_OUTPUT_URL': 'https://bucket/other-out'}
    # Act
    options = parse_args(locations(tmp_path), environ)
    # Assess
    assert options.input == str(tmp_path / 'in.ipynb')
    assert environ == {}


@pytest.mark.parametrize('missing', ['input', 'output'])
def test_a_missing_location_is_bad_input_naming_its_variable(tmp_path, missing):
    # Prepare
    given = {'input': str(tmp_path / 'in.ipynb'), 'output': str(tmp_path / 'out.ipynb')}
    del given[missing]
    argv = [part for name, value in given.items() for part in (f'--{name}', value)]
    # Act
    with pytest.raises(BadInput) as raised:
        parse_args(argv, {})
    # Assess
    assert str(raised.value) == f'--{missing} is required (or set {URL_VARIABLES[missing]}) (see --help)'


def test_defaults_are_those_the_readme_lists(tmp_path, monkeypatch):
    # Prepare
    monkeypatch.chdir(tmp_path)
    # Act
    options = parse_args(locations(tmp_path), {})
    # Assess
    assert (options.max_output_bytes, options.max_notebook_output_bytes) == (10 * 1024 * 1024, 50 * 1024 * 1024)
    assert options.progress_seconds == 5.0
    assert (options.timeout, options.cell_timeout, options.kernel, options.non_dumpable) == (None, None, None, False)
    assert options.cwd == os.path.abspath(str(tmp_path))


@pytest.mark.parametrize('value', ['0', '-1', 'inf', 'nan', 'soon'])
def test_a_timeout_must_be_a_positive_finite_number(tmp_path, value):
    # Prepare
    argv = locations(tmp_path) + ['--timeout', value]
    # Act
    with pytest.raises(BadInput) as raised:
        parse_args(argv, {})
    # Assess
    assert '--timeout' in str(raised.value)
    assert str(raised.value).endswith('(see --help)')


def test_timeouts_may_be_fractions_of_a_second(tmp_path):
    # Act
    options = parse_args(locations(tmp_path) + ['--cell-timeout', '0.5', '--timeout', '90'], {})
    # Assess
    assert (options.cell_timeout, options.timeout) == (0.5, 90.0)


@pytest.mark.parametrize('value', ['0', '1.5', '-3', '1e6', ''])
def test_an_output_cap_must_be_a_whole_number_of_bytes_above_zero(tmp_path, value):
    # Prepare
    argv = locations(tmp_path) + ['--max-output-bytes', value]
    # Act
    with pytest.raises(BadInput) as raised:
        parse_args(argv, {})
    # Assess
    assert 'must be a whole number of bytes above 0' in str(raised.value)


def test_output_caps_are_read_as_integers(tmp_path):
    # Act
    options = parse_args(locations(tmp_path) + ['--max-output-bytes', '100000', '--max-notebook-output-bytes', '7'], {})
    # Assess
    assert (options.max_output_bytes, options.max_notebook_output_bytes) == (100000, 7)
    assert all(type(cap) is int for cap in (options.max_output_bytes, options.max_notebook_output_bytes))


def test_an_unknown_option_is_bad_input_rather_than_an_exit(tmp_path):
    # Act
    with pytest.raises(BadInput) as raised:
        parse_args(locations(tmp_path) + ['--fast'], {})
    # Assess
    assert 'unrecognized arguments: --fast' in str(raised.value)


def test_a_relative_cwd_is_made_absolute(tmp_path, monkeypatch):
    # Prepare
    (tmp_path / 'work').mkdir()
    monkeypatch.chdir(tmp_path)
    # Act
    options = parse_args(locations(tmp_path) + ['--cwd', 'work'], {})
    # Assess
    assert options.cwd == os.path.join(os.path.abspath(str(tmp_path)), 'work')


def test_a_cwd_that_is_not_a_directory_is_bad_input(tmp_path):
    # Prepare
    (tmp_path / 'file').write_text('x')
    # Act
    with pytest.raises(BadInput) as raised:
        parse_args(locations(tmp_path) + ['--cwd', str(tmp_path / 'file')], {})
    # Assess
    assert str(raised.value) == f'--cwd {tmp_path / "file"} is not a directory'


def test_an_output_path_needs_an_existing_directory_but_a_url_does_not(tmp_path):
    # Prepare
    missing = str(tmp_path / 'nowhere' / 'out.ipynb')
    # Act
    with pytest.raises(BadInput) as raised:
        parse_args(['--input', 'in.ipynb', '--output', missing, '--cwd', str(tmp_path)], {})
    url = 'https://bucket/nowhere/out.ipynb'
    options = parse_args(['--input', 'in.ipynb', '--output', url, '--cwd', str(tmp_path)], {})
    # Assess
    assert str(raised.value) == f'--output {missing}: its directory does not exist'
    assert options.output == url
