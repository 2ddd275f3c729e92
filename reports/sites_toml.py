"""`auditor discover --format toml`: the live sites the config lacks, as `[[sites]]` to paste."""

from __future__ import annotations

import json

from auditor.core.config import DiscoverySettings
from auditor.core.report import Report


def _string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's for every character a name can hold."""
    return json.dumps(text, ensure_ascii=False)


def sites_toml(report: Report, settings: DiscoverySettings | None) -> str:
    missing = [n for n in report.inventory.discovered if n.live and not n.configured]
    if not missing:
        return "# Every live site discovery found is already in the config.\n"
    https_port = settings.https_port if settings is not None else DiscoverySettings.https_port
    http_port = settings.http_port if settings is not None else DiscoverySettings.http_port
    blocks = []
    for name in missing:
        lines = [
            f"# found in {', '.join(name.sources)}; answers {', '.join(name.serves)}",
            "[[sites]]",
            f"host = {_string(name.name)}",
            f"platform = {_string(name.platform)}",
        ]
        # Only where discovery asked other ports than the protocols' own (a lab, a test).
        if https_port != DiscoverySettings.https_port:
            lines.append(f"port = {https_port}")
        if http_port != DiscoverySettings.http_port:
            lines.append(f"http_port = {http_port}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)
