"""Documents from outside parsed so that any bad one fails the one way the callers expect.

Both standard parsers recurse once per level of nesting: a JSON or TOML document nested
some thousand levels deep (a config, a saved report, an API answer, an SSH key's comment)
raises RecursionError, which is not their decode error, and became a traceback. Here it is
a decode error like any other. An extra CA file is checked where it is named (config or
command line), so a bad one is a usage error, not an error on every check of its site.
"""

from __future__ import annotations

import json
import stat
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.core.errors import ConfigError

if TYPE_CHECKING:
    from cryptography import x509

_TOO_DEEP = "nested too deeply"


class NotAFile(OSError):
    """A path to a FIFO, a device or a folder: reading it could block for ever or never end."""


def file_bytes(path: Path) -> bytes:
    """The bytes of the regular file at `path`, and NotAFile for anything else: a FIFO with
    no writer would block the read for ever, a device never end it."""
    if not stat.S_ISREG(path.stat().st_mode):
        raise NotAFile(f"{path} is not a file")
    return path.read_bytes()


def config_text(path: Path) -> str:
    """A configuration or roster file's text, or a ConfigError that says why not."""
    try:
        # utf-8-sig: Notepad starts a UTF-8 file with a BOM, which tomllib calls an invalid
        # statement at line 1, column 1, where the eye sees nothing wrong.
        return file_bytes(path).decode("utf-8-sig")
    except NotAFile:
        raise ConfigError(str(path), None, "not a file") from None
    except FileNotFoundError:
        raise ConfigError(str(path), None, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), None, f"cannot read: {exc}") from None


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


def pem_certificates(path: Path) -> tuple[x509.Certificate, ...]:
    """Every certificate of a PEM file (an extra CA file); a ValueError says why there is none."""
    from cryptography import x509  # noqa: PLC0415 (only a config naming a CA file needs it)

    try:
        data = file_bytes(path)
    except NotAFile as exc:
        raise ValueError(str(exc)) from None
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return tuple(x509.load_pem_x509_certificates(data))
    except ValueError:  # cryptography's words name its ASN.1 parser's internals, not the file
        raise ValueError(f"{path} is not a list of PEM certificates") from None
