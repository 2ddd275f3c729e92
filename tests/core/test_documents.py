"""Documents from outside (configs, saved reports, API answers, key comments) fail one way."""

from __future__ import annotations

import tomllib

import pytest

from auditor.core.documents import json_value, toml_document
from checks.ssh.family import DROPLET_AGENT, droplet_agent

DEEP_JSON = "[" * 100_000 + "]" * 100_000


def test_json_nested_too_deeply_is_a_value_error_like_any_bad_json() -> None:
    with pytest.raises(ValueError, match="nested too deeply"):
        json_value(DEEP_JSON)
    with pytest.raises(ValueError, match="nested too deeply"):
        json_value(DEEP_JSON.encode())
    assert json_value(b'{"a": [1, {"b": null}]}') == {"a": [1, {"b": None}]}


def test_toml_nested_too_deeply_is_a_decode_error_like_any_bad_toml() -> None:
    with pytest.raises(tomllib.TOMLDecodeError, match="nested too deeply"):
        toml_document("x = " + "[" * 100_000)
    assert toml_document("x = [[1], [2]]") == {"x": [[1], [2]]}


def test_a_droplet_agent_comment_nested_too_deeply_names_no_one() -> None:
    # The comment is read from a server's authorized_keys: the server chooses it.
    assert droplet_agent(DEEP_JSON + "-dotty_ssh") == (DROPLET_AGENT, None)
