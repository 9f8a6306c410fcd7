"""Stop strings: cut an answer where the first one starts, also while streaming.

Streaming cannot emit text that may turn out to be the start of a stop string, so
`StopBuffer` holds back the longest tail that is a prefix of one until it knows.
"""

from __future__ import annotations

from collections.abc import Sequence


def cut_at_stop(text: str, stops: Sequence[str]) -> tuple[str, bool]:
    """`text` up to the earliest stop string, and whether one was found."""
    found = [i for i in (text.find(s) for s in stops if s) if i >= 0]
    return (text[: min(found)], True) if found else (text, False)


class StopBuffer:
    """Feed streamed pieces in, get back what is safe to show; `stopped` once a stop
    string was seen (nothing after it is ever returned)."""

    def __init__(self, stops: Sequence[str]) -> None:
        self.stops = [s for s in stops if s]
        self.stopped = False
        self._pending = ""

    def feed(self, piece: str) -> str:
        """The text that can be emitted after adding `piece`."""
        if self.stopped:
            return ""
        text, self.stopped = cut_at_stop(self._pending + piece, self.stops)
        if self.stopped:
            self._pending = ""
            return text
        hold = self._held_tail(text)
        self._pending = text[len(text) - hold:] if hold else ""
        return text[: len(text) - hold]

    def flush(self) -> str:
        """What is still held back, at the end of the stream."""
        rest, self._pending = ("" if self.stopped else self._pending), ""
        return rest

    def _held_tail(self, text: str) -> int:
        longest = 0
        for stop in self.stops:
            for n in range(min(len(stop) - 1, len(text)), longest, -1):
                if stop.startswith(text[-n:]):
                    longest = n
                    break
        return longest
