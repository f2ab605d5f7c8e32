"""TOML reading in one place: the standard tomllib, or tomli on Python 3.10."""

from __future__ import annotations

import sys
from importlib import resources
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

TOMLDecodeError = tomllib.TOMLDecodeError


def loads(text: str) -> dict[str, Any]:
    data: dict[str, Any] = tomllib.loads(text)
    return data


def package_data(name: str) -> dict[str, Any]:
    """A TOML file shipped in compose/data/."""
    return loads(resources.files("compose").joinpath(f"data/{name}").read_text(encoding="utf-8"))
