"""JSON and TOML parsed so that any bad document fails the one way the callers expect.

Both standard parsers recurse once per level of nesting: a document nested some thousand
levels deep (a config, a saved report, an API answer, an SSH key's comment) raises
RecursionError, which is not their decode error, and became a traceback. Here it is a
decode error like any other.
"""

from __future__ import annotations

import json
import tomllib
from typing import Any

_TOO_DEEP = "nested too deeply"


def json_value(text: str | bytes) -> Any:
    """`json.loads`, raising ValueError for every document it cannot read."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError(_TOO_DEEP) from None


def toml_document(text: str) -> dict[str, Any]:
    """`tomllib.loads`, raising TOMLDecodeError for every document it cannot read."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise tomllib.TOMLDecodeError(_TOO_DEEP) from None
