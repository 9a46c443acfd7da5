"""Read a torch.save'd state_dict (zip format, CPU tensors) into numpy arrays without importing torch.

Importing torch costs seconds; a state_dict of nn.Linear layers needs none of it.  The pickle is read by a
restricted unpickler that knows only the few globals a plain state_dict uses (OrderedDict, the tensor
rebuild function, typed storages); anything else -- relulab checkpoints, legacy (non-zip) files, tensor
subclasses, big-endian files -- returns None, and the caller falls back to torch.load.
"""

from __future__ import annotations

import collections
import pickle
import zipfile

import numpy as np

DTYPES = {"DoubleStorage": np.float64, "FloatStorage": np.float32, "HalfStorage": np.float16,
          "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16, "CharStorage": np.int8,
          "ByteStorage": np.uint8, "BoolStorage": np.bool_}


class Unsupported(Exception):
    pass


def _rebuild_tensor_v2(storage, offset, size, stride, requires_grad=False, hooks=None, metadata=None):
    a = storage[offset:]
    if len(size) and np.prod(size) > 0:
        return np.lib.stride_tricks.as_strided(a, tuple(size), tuple(s * a.itemsize for s in stride)).copy()
    return np.zeros(tuple(size), a.dtype)


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, zf: zipfile.ZipFile, prefix: str):
        super().__init__(file)
        self.zf, self.prefix, self.cache = zf, prefix, {}

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor_v2
        if module == "torch" and name in DTYPES:
            return DTYPES[name]
        raise Unsupported(f"{module}.{name}")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage" and pid[3] == "cpu"):
            raise Unsupported(f"persistent id {pid!r}")
        _, dtype, key, _, numel = pid
        if key not in self.cache:
            raw = self.zf.read(f"{self.prefix}data/{key}")
            self.cache[key] = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<"), count=numel)
        return self.cache[key]


def read_state_dict(path):
    """The unpickled contents with tensors as numpy arrays, or None when only torch.load can read the file."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            pkl = [n for n in names if n.endswith("data.pkl") and n.count("/") == 1]
            if len(pkl) != 1:
                return None
            prefix = pkl[0][: -len("data.pkl")]
            if prefix + "byteorder" in names and zf.read(prefix + "byteorder").strip() != b"little":
                return None
            with zf.open(pkl[0]) as f:
                return _Unpickler(f, zf, prefix).load()
    except (Unsupported, zipfile.BadZipFile, OSError, pickle.UnpicklingError, KeyError, ValueError, TypeError,
            AttributeError, EOFError, IndexError):
        return None
