"""What crosses the sandbox boundary: JSON plus ``.npy`` bytes, never pickles.

``encode`` turns a value into JSON with arrays replaced by ``{"__npy__": i}`` (the arrays go
into a list, written with ``numpy.save(allow_pickle=False)``); ``decode`` reverses it.
Markers ``{"__rng__": seed}`` / ``{"__fn__": name}`` are decoded by the drivers.
"""

from __future__ import annotations

import io
import math
import re
import struct

import numpy as np


class WireError(ValueError):
    """A value that may not cross the boundary (object arrays, unknown types, ...)."""


def encode(value, arrays: list, share: bool = False, _sent: dict | None = None) -> object:
    """``value`` as JSON with ``{"__npy__": i}`` markers into ``arrays`` (appended to).
    ``share=True``: an array object that occurs several times in ``value`` is appended once
    and every occurrence points to it (a milestone's trace shares one copy among its
    entries); decoded, they are one object again. Off by default: :func:`public.case_key`
    digests the markers and must not depend on which inputs are the same object."""
    if share and _sent is None:
        _sent = {}
    from_registry = type(value).__name__
    if from_registry == "Rng":
        return {"__rng__": int(value.seed)}
    if from_registry == "Fn":
        return {"__fn__": value.name}
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise WireError("arrays of Python objects cannot be sent; use numbers")
        if _sent is None:
            arrays.append(value)
            return {"__npy__": len(arrays) - 1}
        index = _sent.get(id(value))  # ``arrays`` keeps each object alive: ids are not reused
        if index is None or arrays[index] is not value:
            arrays.append(value)
            index = _sent[id(value)] = len(arrays) - 1
        return {"__npy__": index}
    if isinstance(value, np.generic):
        return encode(np.asarray(value), arrays, share, _sent)
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return {"__float__": repr(value)}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, arrays, share, _sent) for v in value]}
    if isinstance(value, list):
        return [encode(v, arrays, share, _sent) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise WireError("dict keys must be strings")
        return {"__dict__": {k: encode(v, arrays, share, _sent) for k, v in value.items()}}
    raise WireError(f"cannot send a value of type {type(value).__name__}")


def decode(obj, arrays: list) -> object:
    if isinstance(obj, list):
        return [decode(v, arrays) for v in obj]
    if isinstance(obj, dict):
        if "__npy__" in obj:
            return arrays[int(obj["__npy__"])]
        if "__tuple__" in obj:
            return tuple(decode(v, arrays) for v in obj["__tuple__"])
        if "__dict__" in obj:
            return {k: decode(v, arrays) for k, v in obj["__dict__"].items()}
        if "__float__" in obj:
            return float(obj["__float__"])
        return obj  # __rng__ / __fn__ markers, decoded by the drivers
    return obj


#: Plain numeric dtypes (bool, int, uint, float, complex) take the fast paths below; any
#: other dtype goes through ``numpy.lib.format`` (same file format, slower header code).
_PLAIN_KINDS = "biufc"
_MAGIC = b"\x93NUMPY\x01\x00"
#: The header numpy writes for a plain dtype, C order: what :func:`npy_load` reads fast.
_HEADER = re.compile(
    rb"\{'descr': '([<>|][biufc][0-9]{1,2})', 'fortran_order': False, "
    rb"'shape': \(((?:[0-9]{1,18}(?:, [0-9]{1,18})+)|(?:[0-9]{1,18},)|)\), \} *\n"
)


def npy_bytes(array: np.ndarray) -> bytes:
    """The ``.npy`` file of ``array`` (format 1.0, C order): the header ``numpy.save`` writes,
    built directly for plain numeric dtypes (``np.save`` costs ~50 us of Python per array,
    which adds up over the hundreds of small arrays of a chapter's cases)."""
    array = np.asarray(array)
    dtype = array.dtype
    if dtype.kind not in _PLAIN_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        buf = io.BytesIO()
        np.save(buf, np.asarray(array, order="C"), allow_pickle=False)
        return buf.getvalue()
    head = _npy_head(dtype.str, array.shape)
    if head is None:  # not for any shape that fits in memory; numpy knows v2.0
        buf = io.BytesIO()
        np.save(buf, np.asarray(array, order="C"), allow_pickle=False)
        return buf.getvalue()
    return head + array.tobytes(order="C")


#: Headers already parsed: header bytes -> (dtype, shape, count). A chapter's arrays have a
#: few dozen distinct headers; a hit skips the pattern match (the key is the exact bytes).
_PARSED: dict[bytes, tuple] = {}
_PARSED_MAX = 4096


def _plain_header(header: bytes):
    """(dtype, shape, count) of a header numpy writes for a plain dtype, C order; None for
    any other header."""
    found = _PARSED.get(header)
    if found is not None:
        return found
    match = _HEADER.fullmatch(header)
    if match is None:
        return None
    try:
        dtype = np.dtype(match.group(1).decode("ascii"))
    except TypeError:  # e.g. '<f3': not a dtype
        raise WireError("bad .npy dtype") from None
    shape = tuple(int(n) for n in match.group(2).split(b",") if n.strip())
    found = (dtype, shape, math.prod(shape))
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    _PARSED[bytes(header)] = found
    return found


def npy_load(data) -> np.ndarray:
    """A plain array from ``.npy`` bytes (or a memoryview of them): never a pickle, and the
    header must agree with the payload (a header claiming terabytes with a few bytes behind
    it is refused before any allocation). The header numpy writes for a plain numeric dtype
    is parsed by a strict pattern and the array is a read-only view of ``data`` (no copy);
    anything else goes through numpy's own header parser."""
    if data[:8] == _MAGIC and len(data) >= 10:
        (hlen,) = struct.unpack("<H", data[8:10])
        plain = _plain_header(bytes(data[10 : 10 + hlen]))
        if plain is not None:
            dtype, shape, count = plain
            if count * dtype.itemsize != len(data) - 10 - hlen:
                raise WireError(f"the .npy header (shape {shape}, {dtype}) does not match its data")
            array = np.frombuffer(data, dtype, count, 10 + hlen).reshape(shape)
            array.flags.writeable = False
            return array
    return _npy_load_general(bytes(data))


def _npy_load_general(data: bytes) -> np.ndarray:
    fmt = np.lib.format
    buf = io.BytesIO(data)
    version = fmt.read_magic(buf)
    if version not in ((1, 0), (2, 0)):
        raise WireError(f"unsupported .npy version {version}")
    read_header = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
    shape, _, dtype = read_header(buf)
    if dtype.hasobject:
        raise WireError("arrays of Python objects cannot be received")
    if math.prod(shape) * dtype.itemsize != len(data) - buf.tell():
        raise WireError(f"the .npy header (shape {shape}, {dtype}) does not match its data")
    return np.load(io.BytesIO(data), allow_pickle=False)


# ---------------------------------------------------------------- framed messages on pipes
#: A message larger than this is refused (a student returning gigabytes cannot exhaust us).
MAX_MESSAGE = 256 * 2**20
#: Most parts a message may have (its JSON header and one per array).
MAX_PARTS = 100_000
#: Buffers per ``writev`` call (Linux's IOV_MAX is 1024).
_IOV_MAX = 1024


#: Capacity asked for the pipes that carry messages (Linux's default is 64 KB, the most an
#: unprivileged process may ask is /proc/sys/fs/pipe-max-size, 1 MB by default): a
#: milestone's trace of a few MB then crosses in a few dozen reads instead of ~100, each a
#: wake-up of the reader and of the writer.
PIPE_BYTES = 1 << 20


def widen_pipe(fd: int) -> None:
    """Ask for a :data:`PIPE_BYTES` pipe buffer on ``fd`` (a pipe); no-op where refused."""
    import fcntl

    try:
        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except OSError:
        pass


def _read_into(fd: int, view: memoryview, deadline: float | None = None) -> None:
    """Fill ``view`` from ``fd``; EOFError if the pipe closes first, TimeoutError if the
    deadline (``time.monotonic()``) passes first."""
    import os
    import select
    import time

    got, n = 0, len(view)
    while got < n:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise TimeoutError("no complete message before the deadline")
        k = os.readv(fd, [view[got:]])
        if not k:
            raise EOFError("pipe closed")
        got += k


def _read_exact(fd: int, n: int, deadline: float | None = None) -> bytearray:
    buf = bytearray(n)
    _read_into(fd, memoryview(buf), deadline)
    return buf


def _array_buffers(array: np.ndarray) -> list:
    """The ``.npy`` file of ``array`` as buffers to write: its header, then its data without
    a copy when it is C-contiguous and of a plain dtype."""
    array = np.asarray(array)
    dtype = array.dtype
    if dtype.kind not in _PLAIN_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        return [npy_bytes(array)]
    head = _npy_head(dtype.str, array.shape)
    if head is None:
        return [npy_bytes(array)]
    data = np.ascontiguousarray(array).reshape(-1).view(np.uint8)
    return [head, memoryview(data)]


def _npy_head(descr: str, shape: tuple) -> bytes | None:
    """Magic, header length and header of a plain C-order ``.npy`` (None past format 1.0)."""
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape!r}, }}"
    pad = -(len(_MAGIC) + 2 + len(header) + 1) % 64
    header = (header + " " * pad + "\n").encode("latin1")
    if len(header) > 0xFFFF:
        return None
    return b"".join((_MAGIC, struct.pack("<H", len(header)), header))


def write_message(fd: int, header: dict, arrays: list) -> None:
    """Frame: the part count, each part's length (8 bytes each, little-endian), then the
    parts: the JSON header and one ``.npy`` file per array. Array data is written from the
    arrays themselves (``writev``), not copied into one buffer first."""
    import json
    import os

    buffers = [json.dumps(header, sort_keys=True).encode()]
    sizes = [len(buffers[0])]
    for a in arrays:
        parts = _array_buffers(a)
        buffers += parts
        sizes.append(sum(len(p) if isinstance(p, bytes) else p.nbytes for p in parts))
    table = struct.pack(f"<{len(sizes) + 1}Q", len(sizes), *sizes)
    pending = [memoryview(table)] + [memoryview(b).cast("B") for b in buffers]
    pending = [b for b in pending if b.nbytes]
    while pending:
        written = os.writev(fd, pending[:_IOV_MAX])
        while written:
            if written >= pending[0].nbytes:
                written -= pending.pop(0).nbytes
            else:
                pending[0] = pending[0][written:]
                written = 0


def read_message(fd: int, deadline: float | None = None) -> tuple[dict, list]:
    """One frame (see :func:`write_message`); ``deadline`` (``time.monotonic()`` value)
    bounds the wait: a writer that sends half a frame and stalls raises ``TimeoutError``
    instead of hanging the reader. Anything malformed (bad counts or sizes, bad JSON,
    nesting too deep for the parser, a ``.npy`` that needs pickle or lies about its size)
    raises :class:`WireError`. The parts are read in one buffer (three reads for a message
    that fits in the pipe); the arrays are read-only views of it."""
    import json

    (count,) = struct.unpack("<Q", _read_exact(fd, 8, deadline))
    if not 1 <= count <= MAX_PARTS:
        raise WireError(f"bad frame count {count}")
    sizes = struct.unpack(f"<{count}Q", _read_exact(fd, 8 * count, deadline))
    total = sum(sizes)
    if total > MAX_MESSAGE:
        raise WireError("message too large")
    body = memoryview(_read_exact(fd, total, deadline))
    parts, at = [], 0
    for n in sizes:
        parts.append(body[at : at + n])
        at += n
    try:
        header = json.loads(bytes(parts[0]))
        arrays = [npy_load(p) for p in parts[1:]]
    except (ValueError, RecursionError, MemoryError, EOFError, OSError) as exc:
        raise WireError(f"malformed message ({type(exc).__name__})") from None
    if not isinstance(header, dict):
        raise WireError("header must be a JSON object")
    return header, arrays
