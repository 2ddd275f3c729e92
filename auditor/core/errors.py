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


class DigitalOceanError(AuditorError):
    """The API answered with an error or not at all; never carries the token."""

    def __init__(
        self, message: str, status: int | None = None, error_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_id = error_id
