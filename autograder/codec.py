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


def encode(value, arrays: list) -> object:
    from_registry = type(value).__name__
    if from_registry == "Rng":
        return {"__rng__": int(value.seed)}
    if from_registry == "Fn":
        return {"__fn__": value.name}
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise WireError("arrays of Python objects cannot be sent; use numbers")
        arrays.append(value)
        return {"__npy__": len(arrays) - 1}
    if isinstance(value, np.generic):
        return encode(np.asarray(value), arrays)
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return {"__float__": repr(value)}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, arrays) for v in value]}
    if isinstance(value, list):
        return [encode(v, arrays) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise WireError("dict keys must be strings")
        return {"__dict__": {k: encode(v, arrays) for k, v in value.items()}}
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
    header = f"{{'descr': '{dtype.str}', 'fortran_order': False, 'shape': {array.shape!r}, }}"
    pad = -(len(_MAGIC) + 2 + len(header) + 1) % 64
    header = (header + " " * pad + "\n").encode("latin1")
    if len(header) > 0xFFFF:  # not for any shape that fits in memory; numpy knows v2.0
        buf = io.BytesIO()
        np.save(buf, np.asarray(array, order="C"), allow_pickle=False)
        return buf.getvalue()
    return b"".join((_MAGIC, struct.pack("<H", len(header)), header, array.tobytes(order="C")))


def npy_load(data: bytes) -> np.ndarray:
    """A plain array from ``.npy`` bytes: never a pickle, and the header must agree with the
    payload (a header claiming terabytes with a few bytes behind it is refused before any
    allocation). The header numpy writes for a plain numeric dtype is parsed by a strict
    pattern and the array is a read-only view of ``data`` (no copy); anything else goes
    through numpy's own header parser."""
    if data[:8] == _MAGIC and len(data) >= 10:
        (hlen,) = struct.unpack("<H", data[8:10])
        match = _HEADER.fullmatch(data, 10, 10 + hlen)
        if match is not None:
            try:
                dtype = np.dtype(match.group(1).decode("ascii"))
            except TypeError:  # e.g. '<f3': not a dtype
                raise WireError("bad .npy dtype") from None
            shape = tuple(int(n) for n in match.group(2).split(b",") if n.strip())
            count = math.prod(shape)
            if count * dtype.itemsize != len(data) - 10 - hlen:
                raise WireError(f"the .npy header (shape {shape}, {dtype}) does not match its data")
            return np.frombuffer(data, dtype, count, 10 + hlen).reshape(shape)
    return _npy_load_general(data)


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


def _read_exact(fd: int, n: int, deadline: float | None = None) -> bytes:
    import os
    import select
    import time

    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise TimeoutError("no complete message before the deadline")
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("pipe closed")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def write_message(fd: int, header: dict, arrays: list) -> None:
    """Frame: 8-byte length + JSON header, then the count and each ``.npy`` blob."""
    import json
    import os

    parts = [json.dumps(header, sort_keys=True).encode()]
    parts += [npy_bytes(a) for a in arrays]
    data = struct.pack("<Q", len(parts)) + b"".join(struct.pack("<Q", len(p)) + p for p in parts)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def read_message(fd: int, deadline: float | None = None) -> tuple[dict, list]:
    """One frame; ``deadline`` (``time.monotonic()`` value) bounds the wait: a writer that
    sends half a frame and stalls raises ``TimeoutError`` instead of hanging the reader.
    Anything malformed (bad JSON, nesting too deep for the parser, a ``.npy`` that needs
    pickle or lies about its size) raises :class:`WireError`."""
    import json

    (count,) = struct.unpack("<Q", _read_exact(fd, 8, deadline))
    if not 1 <= count <= 100_000:
        raise WireError(f"bad frame count {count}")
    parts, total = [], 0
    for _ in range(count):
        (n,) = struct.unpack("<Q", _read_exact(fd, 8, deadline))
        total += n
        if total > MAX_MESSAGE:
            raise WireError("message too large")
        parts.append(_read_exact(fd, n, deadline))
    try:
        header = json.loads(parts[0])
        arrays = [npy_load(p) for p in parts[1:]]
    except (ValueError, RecursionError, MemoryError, EOFError, OSError) as exc:
        raise WireError(f"malformed message ({type(exc).__name__})") from None
    if not isinstance(header, dict):
        raise WireError("header must be a JSON object")
    return header, arrays
