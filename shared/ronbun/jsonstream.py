"""Incremental JSON: the parts of a streamed JSON object as soon as each one is complete.

`JsonStream.feed(chunk)` takes the model's output a piece at a time (text, or bytes split
anywhere, even inside a UTF-8 character) and returns the parts completed by that piece:
`(key, value)` for each top-level field of the object, and `(index, element)` for each element
of the arrays named in `arrays` (by default only "qa"), in the order they were written. Those
arrays are not reported again as a whole. Everything before the first `{` (prose, a ```json
fence) and after the object's closing `}` is ignored, so a text answer is read the same way.

Generic on purpose: the field names of the answer are not known here (only which arrays are
reported element by element). The whole answer is still validated at the end by the caller;
a part that is not valid JSON is simply not reported.
"""

from __future__ import annotations

import codecs
import json
from typing import Any, Callable, Iterable

ARRAYS = ("qa",)

Part = tuple["str | int", Any]


class JsonStream:
    def __init__(self, arrays: Iterable[str] = ARRAYS):
        self.arrays = frozenset(arrays)
        self.done = False                 # the top-level object has closed
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._buf = ""                    # the text from the first "{" on
        self._pos = 0                     # next character of _buf to scan
        self._depth = 0                   # nesting depth (the top-level object is depth 1)
        self._in_string = self._escaped = False
        # depth 1 (the object's own fields): "key" -> "colon" -> "value" -> "key" ...
        self._phase = "key"
        self._key_start = -1
        self._key: str | None = None
        self._value_start = -1            # start of the current top-level value (-1: none yet)
        self._array = False               # the current value is an array reported element by element
        self._index = 0
        self._item_start = -1             # start of the current element of that array

    def feed(self, chunk: str | bytes) -> list[Part]:
        """The parts completed by `chunk`, in order."""
        text = self._decoder.decode(chunk) if isinstance(chunk, bytes) else chunk
        if self.done or not text:
            return []
        if not self._buf:
            start = text.find("{")
            if start < 0:
                return []
            text = text[start:]
        self._buf += text
        out: list[Part] = []
        buf = self._buf
        i = self._pos
        n = len(buf)
        while i < n and not self.done:
            c = buf[i]
            if self._in_string:
                if self._escaped:
                    self._escaped = False
                elif c == "\\":
                    self._escaped = True
                elif c == '"':
                    self._in_string = False
                    self._string_closed(i, out)
                i += 1
                continue
            if c in " \t\r\n":
                i += 1
                continue
            self._token(c, i, out)
            i += 1
        self._pos = i
        return out

    # ------------------------------------------------------------ internals

    def _token(self, c: str, i: int, out: list[Part]) -> None:
        depth = self._depth
        if depth == 0:                              # the opening brace of the object
            if c == "{":
                self._depth = 1
            return
        if depth == 1:
            if self._phase == "key":
                if c == '"':
                    self._in_string, self._key_start = True, i
                elif c == "}":
                    self.done, self._depth = True, 0
                return                              # "," between fields
            if self._phase == "colon":
                if c == ":":
                    self._phase = "value"
                return
            # phase "value"
            if self._value_start < 0:
                self._value_start = i
                if c == '"':
                    self._in_string = True
                elif c in "{[":
                    self._depth = 2
                    self._array = c == "[" and self._key in self.arrays
                    self._index, self._item_start = 0, -1
                return                              # a scalar: ends at "," or "}"
            if c in ",}":                           # end of a scalar value
                self._emit(self._key, self._buf[self._value_start:i], out)
                self._next_field()
                if c == "}":
                    self.done, self._depth = True, 0
            return
        # inside a compound top-level value
        if self._array and depth == 2:
            if self._item_start < 0:
                if c in ",]":
                    if c == "]":
                        self._depth = 1
                        self._next_field()          # the array itself is not reported again
                    return
                self._item_start = i
                if c == '"':
                    self._in_string = True
                elif c in "{[":
                    self._depth = 3
                return
            if c in ",]":                           # end of a scalar element
                self._emit_item(i, out)
                if c == "]":
                    self._depth = 1
                    self._next_field()
            return
        if c == '"':
            self._in_string = True
        elif c in "{[":
            self._depth += 1
        elif c in "}]":
            self._depth -= 1
            if self._depth == 1:                    # a compound top-level value closed
                self._emit(self._key, self._buf[self._value_start:i + 1], out)
                self._next_field()
            elif self._array and self._depth == 2:  # a compound array element closed
                self._emit_item(i + 1, out)

    def _string_closed(self, i: int, out: list[Part]) -> None:
        depth = self._depth
        if depth == 1 and self._phase == "key":
            try:
                self._key = json.loads(self._buf[self._key_start:i + 1])
            except json.JSONDecodeError:
                self._key = None
            self._phase = "colon"
        elif depth == 1 and self._value_start >= 0:   # a string top-level value
            self._emit(self._key, self._buf[self._value_start:i + 1], out)
            self._next_field()
        elif self._array and depth == 2 and self._item_start >= 0:   # a string array element
            self._emit_item(i + 1, out)

    def _emit_item(self, end: int, out: list[Part]) -> None:
        self._emit(self._index, self._buf[self._item_start:end], out)
        self._index += 1
        self._item_start = -1

    @staticmethod
    def _emit(key: str | int | None, text: str, out: list[Part]) -> None:
        if key is None:
            return
        try:
            out.append((key, json.loads(text)))
        except json.JSONDecodeError:
            pass                                     # not reported; the final validation says why

    def _next_field(self) -> None:
        self._phase, self._key, self._value_start, self._array = "key", None, -1, False


def parts(data: dict, arrays: Iterable[str] = ARRAYS) -> list[Part]:
    """The parts of a whole answer, as `JsonStream` reports them (for answers that did not stream)."""
    arrays = frozenset(arrays)
    out: list[Part] = []
    for key, value in data.items():
        if key in arrays and isinstance(value, list):
            out.extend(enumerate(value))
        else:
            out.append((key, value))
    return out


def report(data: dict, on_part: Callable[[str | int, Any], None] | None) -> None:
    """Call `on_part` for every part of a whole answer."""
    if on_part is not None:
        for key, value in parts(data):
            on_part(key, value)
