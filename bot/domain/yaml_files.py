"""The bank's YAML files (product rules, agent phrases), read again whenever one changes, so an
edit takes effect without a restart and an unchanged file is parsed once."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, TypeVar

import yaml

T = TypeVar("T")


def read_when_changed(path: str | Path, build: Callable[[dict[str, Any]], T]) -> T:
    """`build` applied to the file's mapping, cached by the file's modification time."""
    return _read(str(path), os.stat(path).st_mtime_ns, build)


@lru_cache(maxsize=16)
def _read(path: str, modified: int, build: Callable[[dict[str, Any]], T]) -> T:
    with open(path, encoding="utf-8") as handle:
        return build(yaml.safe_load(handle) or {})
