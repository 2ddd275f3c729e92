"""Typed failures that stop a command: the CLI turns each into one line and an exit code."""

from __future__ import annotations


class AuditorError(Exception):
    """A fault in how the auditor was asked to run, not in what it audits."""

    exit_code = 2


class ConfigError(AuditorError):
    """A configuration or roster file that cannot be used as it is."""

    def __init__(self, source: str, key: str | None, problem: str) -> None:
        self.source = source
        self.key = key
        self.problem = problem
        where = f"{source}: {key}: " if key else f"{source}: "
        super().__init__(where + problem)


class CredentialsError(AuditorError):
    """A credential is missing or refused (never carries the credential itself)."""


class UsageError(AuditorError):
    """A command line that cannot be carried out as given."""
