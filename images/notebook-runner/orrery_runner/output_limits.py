"""Caps on what a run's outputs may hold, as the runner collects them (see README.md, "Output limits").

Each output is capped (`per_output` bytes) and so are all outputs of the notebook together (`per_notebook`).
A stream (a cell's stdout or stderr, coalesced as JupyterLab shows it) past its cap keeps its head and its
tail with an "output truncated (N more)" line between them, so a loop that prints without end costs a fixed
amount of memory and still shows how it began and how it ended. A rich output past the cap keeps only its
text/plain form, cut the same way; an output past the notebook's cap is dropped, and one marker per cell says
how much. Sizes are counted as the saved notebook counts them: JSON-escaped UTF-8, multi-line text split into lines.

Only the standard library is used; outputs are the dicts (NotebookNodes) nbclient makes.
"""

from __future__ import annotations

import json
import math
from collections import deque
from typing import Any, Callable, Dict, List, Optional

# A rich output cut to its text keeps at most this much of it.
TEXT_OF_RICH_OUTPUT = 64 * 1024
# The notebook's cap may be passed by this much to keep the error that ended the run.
ERROR_ALLOWANCE = 1024 * 1024
# nbformat saves multi-line text as a list of lines, one per row, indented: each line costs its quotes,
# a comma, a newline and the indentation (five spaces for an output's text) on top of its characters.
LINE_COST = 10


def _saved_size(escaped: str) -> int:
    return len(escaped.encode('utf-8')) + LINE_COST * escaped.count('\\n')


def text_size(text: str) -> int:
    """The bytes a string takes in the saved notebook: JSON-escaped UTF-8, split into lines as nbformat does."""
    return _saved_size(json.dumps(text, ensure_ascii=False)) - 2


def output_size(output: Any) -> int:
    """The bytes one output takes in the saved notebook."""
    return _saved_size(json.dumps(output, ensure_ascii=False, indent=1))


def human_bytes(count: float) -> str:
    """1536 → '1.5 KB'."""
    for unit in ('bytes', 'KB', 'MB'):
        if count < 1024:
            return f'{count:.0f} {unit}' if unit == 'bytes' else f'{count:.1f} {unit}'
        count /= 1024
    return f'{count:.1f} GB'


# How far from a cut to look for a line end to cut at instead.
LINE_SNAP = 4096


def truncation_line(omitted: int) -> str:
    """The line that stands where output was cut."""
    return f'\n… output truncated ({human_bytes(omitted)} more) …\n'


def cut_text(text: str, budget: int) -> tuple:
    """Keeps the head and the tail of `text` within about `budget` bytes; returns (text, omitted bytes)."""
    size = text_size(text)
    if size <= budget:
        return text, 0
    keep = max(0, int(len(text) * budget / size) // 2)
    head, tail = text[:keep], text[len(text) - keep:] if keep else ''
    omitted = size - text_size(head) - text_size(tail)
    return head + truncation_line(omitted) + tail, omitted


class StreamBuffer:
    """One stream output that grows chunk by chunk; past its allowance it keeps a fixed head and a rolling tail."""

    def __init__(self, output: Any) -> None:
        self.output = output
        self.head: List[str] = []
        self.head_size = 0
        self.tail: deque = deque()  # (text, size) pairs, oldest first
        self.tail_size = 0
        self.omitted = 0
        self.cut = False

    @property
    def size(self) -> int:
        return self.head_size + self.tail_size

    def add(self, text: str, allowed: int) -> None:
        """Appends a chunk, keeping the buffer within `allowed` bytes."""
        size = text_size(text)
        if self.cut:
            self.tail.append((text, size))
            self.tail_size += size
        else:
            self.head.append(text)
            self.head_size += size
            if self.head_size <= allowed:
                return
            # The first time past the allowance (perhaps within this one chunk): keep half as the head.
            self._split(allowed // 2)
        self._trim(max(0, allowed - self.head_size))

    def text(self) -> str:
        """The output's text as it is saved: past the cut, the head and the tail each end and start at a line."""
        head = ''.join(self.head)
        if not self.cut:
            return head
        tail = ''.join(t for t, _ in self.tail)
        end = head.rfind('\n', max(0, len(head) - LINE_SNAP))
        if end >= 0:
            head = head[:end]
        start = tail.find('\n', 0, min(LINE_SNAP, len(tail) - 1))
        if start >= 0:
            tail = tail[start + 1:]
        return head + truncation_line(self.omitted) + tail

    def _split(self, limit: int) -> None:
        # What is past `limit` in the head becomes the start of the tail.
        self.cut = True
        while self.head and self.head_size > limit:
            text = self.head.pop()
            size = text_size(text)
            self.head_size -= size
            room = limit - self.head_size
            keep = int(len(text) * room / max(size, 1)) if room > 0 else 0
            if keep:
                # The chunk that straddles the limit is split, and the head ends there.
                self.head.append(text[:keep])
                self.head_size += text_size(text[:keep])
                text = text[keep:]
                size = text_size(text)
            self.tail.appendleft((text, size))
            self.tail_size += size
            if keep:
                break

    def _trim(self, budget: int) -> None:
        while self.tail and self.tail_size > budget:
            text, size = self.tail[0]
            excess = self.tail_size - budget
            if size <= excess:
                self.tail.popleft()
                self.tail_size -= size
                self.omitted += size
                continue
            rest = text[math.ceil(len(text) * excess / size):]
            rest_size = text_size(rest)
            self.tail[0] = (rest, rest_size)
            self.tail_size += rest_size - size
            self.omitted += size - rest_size


class OutputLimiter:
    """Admits a run's outputs as nbclient collects them, within the per-output and per-notebook caps.

    `admit` is called with a cell's output list right after nbclient appended an output to it, and
    `reconcile` after nbclient may have cleared it (clear_output); `materialize` writes the kept text into
    the outputs before every save. `make_marker(text)` makes the stream output that says what was dropped.
    """

    def __init__(self, per_output: int, per_notebook: int, make_marker: Callable[[str], Any]) -> None:
        self.per_output, self.per_notebook, self.make_marker = per_output, per_notebook, make_marker
        self.kept = 0
        self.omitted = 0
        self.outputs_cut = 0
        self.cell: Optional[int] = None
        self.outs: Optional[list] = None
        self.count = 0
        self.sizes: Dict[int, int] = {}
        self.buffers: Dict[int, StreamBuffer] = {}
        self.marker: Optional[Any] = None
        self.cell_dropped = 0
        self.dropping_stream: Optional[str] = None
        self.dirty: Dict[int, StreamBuffer] = {}

    def summary(self) -> Optional[dict]:
        """What metadata.orrery.outputTruncated says: null when nothing was cut."""
        if not self.outputs_cut:
            return None
        return {'outputs': self.outputs_cut, 'omittedBytes': self.omitted,
                'maxOutputBytes': self.per_output, 'maxNotebookOutputBytes': self.per_notebook}

    def admit(self, outs: list, out: Any, cell_index: int, forget_display: Callable[[int], None]) -> Optional[Any]:
        """Keeps, merges, cuts or drops the output nbclient just appended to `outs`; returns what stands for it."""
        self._enter(cell_index, outs)
        self.reconcile(outs, appended=True)
        kind = out.get('output_type')
        if kind == 'stream':
            return self._admit_stream(outs, out)
        if kind == 'error':
            return self._admit_error(out)
        original = output_size(out)
        if original > self.per_output:
            self._cut_rich(out, original)
        size = output_size(out)
        if size > self.per_notebook - self.kept:
            forget_display(len(outs) - 1)
            return self._drop(outs, original, None)
        if size < original:
            self.omitted += original - size
            self.outputs_cut += 1
        self._keep(out, size)
        return out

    def reconcile(self, outs: list, appended: bool) -> None:
        """Notices a clear_output (the list got shorter than what was counted) and forgets what it removed."""
        if outs is not self.outs:
            return
        if len(outs) < self.count + (1 if appended else 0):
            self.kept -= sum(self.sizes.values())
            self.sizes, self.buffers, self.marker, self.cell_dropped = {}, {}, None, 0
            self.dirty = {k: b for k, b in self.dirty.items() if any(o is b.output for o in outs)}
        self.count = len(outs)

    def materialize(self) -> None:
        """Writes the kept text of every stream that changed, and the cell's marker, into the outputs."""
        for buffer in self.dirty.values():
            buffer.output['text'] = buffer.text()
        self.dirty = {}
        if self.marker is not None:
            self.marker['text'] = self._marker_text()

    def _enter(self, cell_index: int, outs: list) -> None:
        if cell_index == self.cell and outs is self.outs:
            return
        self.materialize()
        self.cell, self.outs, self.count = cell_index, outs, len(outs) - 1
        self.sizes, self.buffers, self.marker, self.cell_dropped = {}, {}, None, 0
        self.dropping_stream = None

    def _admit_stream(self, outs: list, out: Any) -> Optional[Any]:
        previous = outs[-2] if len(outs) >= 2 else None
        buffer = self.buffers.get(id(previous)) if previous is not None else None
        if buffer is not None and previous.get('name') == out.get('name'):
            outs.pop()
            self.count -= 1
            self._grow(buffer, out['text'])
            return previous
        if self.kept >= self.per_notebook:
            return self._drop(outs, text_size(out['text']), out.get('name'))
        buffer = StreamBuffer(out)
        self.buffers[id(out)] = buffer
        self.sizes[id(out)] = 0
        self._grow(buffer, out['text'])
        return out

    def _grow(self, buffer: StreamBuffer, text: str) -> None:
        before, omitted_before, was_cut = buffer.size, buffer.omitted, buffer.cut
        allowed = min(self.per_output, buffer.size + max(0, self.per_notebook - self.kept))
        buffer.add(text, allowed)
        self.kept += buffer.size - before
        self.sizes[id(buffer.output)] = buffer.size
        self.omitted += buffer.omitted - omitted_before
        self.outputs_cut += 1 if buffer.cut and not was_cut else 0
        self.dirty[id(buffer.output)] = buffer

    def _admit_error(self, out: Any) -> Any:
        # The error that ended the run is always kept: it is what a reader looks for first.
        budget = min(self.per_output, ERROR_ALLOWANCE)
        size = output_size(out)
        if size > budget:
            out['evalue'], omitted = cut_text(out.get('evalue', ''), budget // 4)
            lines, cut = list(out.get('traceback', [])), budget // 2
            joined, more = cut_text('\n'.join(lines), cut)
            out['traceback'] = joined.split('\n')
            self.omitted += omitted + more
            self.outputs_cut += 1
            size = output_size(out)
        self._keep(out, size)
        return out

    def _cut_rich(self, out: Any, size: int) -> None:
        data = out.get('data', {})
        plain = data.get('text/plain', '')
        plain = ''.join(plain) if isinstance(plain, list) else plain
        text, _ = cut_text(plain, min(TEXT_OF_RICH_OUTPUT, self.per_output // 2))
        kinds = ', '.join(sorted(data)) or out.get('output_type', 'output')
        note = (f'… output truncated ({human_bytes(size - text_size(text))} more): '
                f'this {kinds} output was over the {human_bytes(self.per_output)} limit …')
        out['data'] = {'text/plain': f'{text}\n{note}' if text else note}
        out['metadata'] = {}

    def _keep(self, out: Any, size: int) -> None:
        self.sizes[id(out)] = size
        self.kept += size

    def _drop(self, outs: list, size: int, stream: Optional[str]) -> Optional[Any]:
        outs.pop()
        self.count -= 1
        self.omitted += size
        # The chunks of one stream are one output, as they would have been had they been kept.
        self.outputs_cut += 0 if stream is not None and stream == self.dropping_stream else 1
        self.dropping_stream = stream
        self.cell_dropped += size
        if self.marker is None:
            self.marker = self.make_marker(self._marker_text())
            outs.append(self.marker)
            self.count += 1
        return None

    def _marker_text(self) -> str:
        return (f'… output truncated ({human_bytes(self.cell_dropped)} more): the outputs of this notebook '
                f'reached the {human_bytes(self.per_notebook)} limit …\n')
