"""The caps on outputs: sizes as saved, cut text, streams with a head and a rolling tail, the notebook's cap."""

import json
import re

import pytest

from orrery_runner.output_limits import (ERROR_ALLOWANCE, OutputLimiter, StreamBuffer, cut_text,
                                         human_bytes, output_size, text_size)

TRUNCATED = re.compile(r'\n… output truncated \((\d+(?:\.\d)? (?:bytes|KB|MB|GB)) more\) …\n')


def stderr_marker(text):
    return {'output_type': 'stream', 'name': 'stderr', 'text': text}


def stream(text, name='stdout'):
    return {'output_type': 'stream', 'name': name, 'text': text}


class Cell:
    """A cell's output list as nbclient fills it: it appends an output, then the limiter admits it."""

    def __init__(self, limiter, index=0):
        self.limiter, self.index, self.outs, self.forgotten = limiter, index, [], []

    def emit(self, out):
        self.outs.append(out)
        return self.limiter.admit(self.outs, out, self.index, self.forgotten.append)

    def clear(self):
        self.outs.clear()
        self.limiter.reconcile(self.outs, appended=False)

    def texts(self):
        self.limiter.materialize()
        return [o.get('text') for o in self.outs]


def test_a_text_is_counted_as_saved_json_escaped_utf8_with_a_cost_per_line():
    # Act
    sizes = [text_size('abc'), text_size('a"b'), text_size('é'), text_size('a\nb\n')]
    # Assess
    # Assess: each line end costs 10 bytes on top of its escaped `\\n`.
    assert sizes == [3, 4, 2, 26]


def test_an_output_is_counted_as_its_indented_json():
    # Prepare
    out = stream('x\n')
    # Act
    size = output_size(out)
    # Assess
    assert size == len(json.dumps(out, indent=1).encode()) + 10


@pytest.mark.parametrize('count, text', [(0, '0 bytes'), (1023, '1023 bytes'), (1536, '1.5 KB'),
                                         (10 * 1024 * 1024, '10.0 MB'), (3 * 1024 ** 3, '3.0 GB')])
def test_byte_counts_are_written_for_people(count, text):
    # Act
    written = human_bytes(count)
    # Assess
    assert written == text


def test_text_within_its_budget_is_kept_whole():
    # Act
    text, omitted = cut_text('short\n', 100)
    # Assess
    assert (text, omitted) == ('short\n', 0)


def test_text_over_its_budget_keeps_its_head_and_tail_and_says_how_much_is_left_out():
    # Prepare
    original = 'a' * 5000 + 'b' * 5000
    # Act
    text, omitted = cut_text(original, 1000)
    # Assess
    head, tail = TRUNCATED.split(text)[0], TRUNCATED.split(text)[2]
    assert (head, tail) == ('a' * 500, 'b' * 500)
    assert omitted == 9000
    assert TRUNCATED.search(text).group(1) == '8.8 KB'


def test_a_stream_within_its_allowance_is_kept_as_written():
    # Prepare
    buffer = StreamBuffer(stream(''))
    # Act
    for chunk in ('one\n', 'two\n', 'three\n'):
        buffer.add(chunk, 1000)
    # Assess
    assert (buffer.text(), buffer.cut, buffer.omitted) == ('one\ntwo\nthree\n', False, 0)


def test_a_stream_past_its_allowance_keeps_how_it_began_and_how_it_ends_within_the_allowance():
    # Prepare
    buffer = StreamBuffer(stream(''))
    lines = [f'line {i}\n' for i in range(5000)]
    # Act
    for line in lines:
        buffer.add(line, 2000)
    # Assess
    text = buffer.text()
    head, omitted, tail = TRUNCATED.split(text)
    assert head.startswith('line 0\nline 1\n') and tail.endswith('line 4998\nline 4999\n')
    assert buffer.size <= 2000
    assert buffer.omitted == sum(text_size(line) for line in lines) - buffer.size
    # Both halves end and start at a line: no line is cut in two.
    assert all(re.fullmatch(r'line \d+', part) for part in (head + '\n' + tail).split('\n') if part)


def test_one_huge_chunk_is_split_into_a_head_and_a_tail():
    # Prepare
    buffer = StreamBuffer(stream(''))
    # Act
    buffer.add('x' * 10_000, 1000)
    # Assess
    assert buffer.cut and buffer.size <= 1000
    assert buffer.omitted == 10_000 - buffer.size


def test_chunks_of_one_stream_are_one_output_and_other_streams_start_another():
    # Prepare
    cell = Cell(OutputLimiter(10_000, 100_000, stderr_marker))
    # Act
    first = cell.emit(stream('a\n'))
    again = cell.emit(stream('b\n'))
    other = cell.emit(stream('warning\n', 'stderr'))
    # Assess
    assert again is first and other is not first
    assert cell.texts() == ['a\nb\n', 'warning\n']
    assert cell.limiter.summary() is None


def test_an_endless_stream_costs_a_fixed_amount_and_is_counted_once():
    # Prepare
    cell = Cell(OutputLimiter(2_000, 100_000, stderr_marker))
    # Act
    for i in range(10_000):
        cell.emit(stream(f'{i}\n'))
    # Assess
    [text] = cell.texts()
    assert text.startswith('0\n1\n') and text.endswith('9998\n9999\n')
    assert TRUNCATED.search(text)
    summary = cell.limiter.summary()
    assert summary['outputs'] == 1 and summary['omittedBytes'] > 40_000
    assert (summary['maxOutputBytes'], summary['maxNotebookOutputBytes']) == (2_000, 100_000)
    assert cell.limiter.kept <= 2_000


def test_a_rich_output_over_the_cap_keeps_only_its_text_and_names_what_was_dropped():
    # Prepare
    cell = Cell(OutputLimiter(5_000, 100_000, stderr_marker))
    html = {'output_type': 'display_data', 'metadata': {'isolated': True},
            'data': {'text/html': '<b>x</b>' * 2000, 'text/plain': '<IPython.core.display.HTML object>'}}
    # Act
    kept = cell.emit(html)
    # Assess
    assert kept is html
    assert html['metadata'] == {}
    assert list(html['data']) == ['text/plain']
    assert re.fullmatch(r'<IPython\.core\.display\.HTML object>\n… output truncated \(\d+\.\d KB more\): '
                        r'this text/html, text/plain output was over the 4\.9 KB limit …', html['data']['text/plain'])
    assert cell.limiter.summary()['outputs'] == 1


def test_a_rich_outputs_long_text_is_cut_to_its_head_and_tail():
    # Prepare
    cell = Cell(OutputLimiter(5_000, 100_000, stderr_marker))
    frame = {'output_type': 'execute_result', 'metadata': {}, 'execution_count': 1,
             'data': {'text/plain': 'h' * 4_000 + 't' * 4_000}}
    # Act
    cell.emit(frame)
    # Assess
    text = frame['data']['text/plain']
    assert text.startswith('h' * 1_000) and TRUNCATED.search(text)
    assert 'this text/plain output was over the 4.9 KB limit' in text
    assert output_size(frame) <= 5_000


def test_a_new_stream_once_the_notebook_is_full_is_dropped_behind_the_marker():
    # Prepare
    limiter = OutputLimiter(10_000, 2_000, stderr_marker)
    first, second = Cell(limiter, 0), Cell(limiter, 1)
    first.emit(stream('a' * 2_500))
    # Act
    dropped = [second.emit(stream('b\n')), second.emit(stream('c\n')), second.emit(stream('w\n', 'stderr'))]
    # Assess
    assert dropped == [None, None, None]
    assert len(second.outs) == 1 and 'the outputs of this notebook reached the 2.0 KB limit' in second.texts()[0]
    # The chunks of one stream count as one output, as they would have been had they been kept.
    assert limiter.summary()['outputs'] == 3


def test_outputs_past_the_notebooks_cap_are_dropped_behind_one_marker_per_cell():
    # Prepare
    limiter = OutputLimiter(4_000, 5_000, stderr_marker)
    cell = Cell(limiter)
    image = {'output_type': 'display_data', 'metadata': {}, 'data': {'image/png': 'i' * 3_000}}
    # Act
    kept = cell.emit(dict(image))
    dropped = [cell.emit(dict(image)), cell.emit(dict(image))]
    # Assess
    assert kept is not None and dropped == [None, None]
    assert len(cell.outs) == 2 and cell.outs[1]['name'] == 'stderr'
    assert re.fullmatch(r'… output truncated \(\d+\.\d KB more\): the outputs of this notebook reached the '
                        r'4\.9 KB limit …\n', cell.texts()[1])
    # Each dropped output is forgotten at the index nbclient gave it, so no update_display_data finds it.
    assert cell.forgotten == [1, 2]
    assert limiter.summary()['outputs'] == 2


def test_the_error_that_ends_a_run_is_kept_past_the_notebooks_cap_but_cut():
    # Prepare
    limiter = OutputLimiter(10 * ERROR_ALLOWANCE, 100, stderr_marker)
    cell = Cell(limiter)
    error = {'output_type': 'error', 'ename': 'ValueError', 'evalue': 'v' * (2 * ERROR_ALLOWANCE),
             'traceback': ['t' * 100] * 30_000}
    # Act
    kept = cell.emit(error)
    # Assess
    assert kept is error and cell.outs == [error]
    assert output_size(error) <= ERROR_ALLOWANCE
    assert error['ename'] == 'ValueError' and TRUNCATED.search(error['evalue'])
    assert limiter.summary()['outputs'] == 1


def test_clearing_a_cells_output_gives_its_space_back():
    # Prepare
    limiter = OutputLimiter(4_000, 5_000, stderr_marker)
    cell = Cell(limiter)
    cell.emit(stream('a' * 3_000))
    # Act
    cell.clear()
    again = cell.emit(stream('b' * 3_000))
    # Assess
    assert again is not None
    assert cell.texts() == ['b' * 3_000]
    assert limiter.kept == text_size('b' * 3_000)
    assert limiter.summary() is None


def test_a_stream_still_growing_when_the_notebook_fills_up_keeps_its_head_and_tail_within_what_is_left():
    # Prepare
    limiter = OutputLimiter(100_000, 3_000, stderr_marker)
    first, second = Cell(limiter, 0), Cell(limiter, 1)
    first.emit(stream('f' * 1_000 + '\n'))
    # Act
    for i in range(2_000):
        second.emit(stream(f'{i}\n'))
    # Assess
    [text] = second.texts()
    assert text.startswith('0\n') and text.endswith('1999\n') and TRUNCATED.search(text)
    assert limiter.kept <= 3_000
    assert first.texts() == ['f' * 1_000 + '\n']
