"""The pages' templates compiled to Python ahead of time, so that a run does not compile them.

Jinja2 spends about 17 ms parsing the three templates and generating their code, on every
run. `python -m reports.precompiled` writes that code once, with Jinja2's own
`compile_templates`, to `reports/compiled/`: modules shipped and reviewed like any other
module of the package, never a cache in a folder the audit writes to (loading code from
there would let whoever can write the output folder run code as the auditor).

The compiled code is used only while it is what Jinja2 would make now: its manifest names
the Jinja2 version and the SHA-256 of every template. A template edited since, or another
Jinja2, and the pages are compiled from the templates as before: slower, never stale.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import jinja2

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
COMPILED = HERE / "compiled"
MANIFEST = "manifest.json"


def digests(templates: Path = TEMPLATES) -> dict[str, str]:
    """The SHA-256 of every template, by the name Jinja2 loads it under."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(templates.iterdir())
        if path.is_file()
    }


def manifest(compiled: Path = COMPILED) -> dict[str, object] | None:
    try:
        loaded = json.loads((compiled / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def loader(templates: Path = TEMPLATES, compiled: Path = COMPILED) -> jinja2.BaseLoader | None:
    """The compiled templates, if they were compiled from these templates by this Jinja2."""
    written = manifest(compiled)
    if written is None or written.get("jinja2") != jinja2.__version__:
        return None
    if written.get("templates") != digests(templates):
        return None
    return jinja2.ModuleLoader(compiled)


def write(
    environment: jinja2.Environment, compiled: Path = COMPILED, templates: Path = TEMPLATES
) -> list[Path]:
    """Compile every template of `environment` (loaded from `templates`), manifest last."""
    compiled.mkdir(parents=True, exist_ok=True)
    for old in compiled.glob("tmpl_*.py"):
        old.unlink()
    (compiled / MANIFEST).unlink(missing_ok=True)
    environment.compile_templates(compiled, zip=None, ignore_errors=False)
    written = {"jinja2": jinja2.__version__, "templates": digests(templates)}
    (compiled / MANIFEST).write_text(json.dumps(written, indent=2) + "\n", encoding="utf-8")
    return sorted(compiled.iterdir())


def main() -> int:
    from reports.html import source_environment  # noqa: PLC0415 (html imports this module)

    for path in write(source_environment()):
        print(path.relative_to(HERE.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
