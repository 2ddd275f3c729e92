"""Host names as DNS zones and certificates write them, in the one form they are compared in."""

from __future__ import annotations

from collections.abc import Iterable

from auditor.core.hosts import host_name_problem, is_ip_address


def clean_names(values: Iterable[str]) -> list[str]:
    """Every host name in these newline-separated lists, lower case, without a trailing dot;
    e-mail addresses and anything else that is no host name are left out."""
    names = []
    for value in values:
        for line in value.splitlines():
            name = clean_name(line)
            if name is not None:
                names.append(name)
    return names


def clean_name(text: str) -> str | None:
    name = text.strip().lower().rstrip(".")
    bare = name.removeprefix("*.")
    if host_name_problem(bare) is not None or is_ip_address(bare) or "." not in bare:
        return None
    return name
