"""The templates compiled ahead of time: what they were made from, what they render, when not."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jinja2
import pytest

from auditor.diff import Change, ChangeKind
from reports import html, precompiled
from reports.access_view import access_page
from reports.public_view import public_page
from tests.support.reports import HOSTILE, sample_report


def test_the_shipped_code_is_compiled_from_the_shipped_templates(tmp_path: Path) -> None:
    written = precompiled.manifest()
    assert written is not None
    assert written["templates"] == precompiled.digests(), (
        "a template changed: run `python -m reports.precompiled` and commit reports/compiled"
    )
    shipped = sorted(p.name for p in precompiled.COMPILED.glob("tmpl_*.py"))
    names = precompiled.digests()
    assert shipped == sorted(jinja2.ModuleLoader.get_module_filename(n) for n in names)
    if written["jinja2"] == jinja2.__version__:
        precompiled.write(html.source_environment(), tmp_path)
        for name in shipped:
            assert (tmp_path / name).read_bytes() == (precompiled.COMPILED / name).read_bytes()
        assert isinstance(html.environment().loader, jinja2.ModuleLoader)
    else:
        # Another Jinja2 than the one that wrote the code: the pages compile at run time.
        assert precompiled.loader() is None
        assert isinstance(html.environment().loader, jinja2.PackageLoader)


def test_both_pages_render_the_same_compiled_and_from_source(tmp_path: Path) -> None:
    precompiled.write(html.source_environment(), tmp_path)
    compiled = html.make_environment(jinja2.ModuleLoader(tmp_path))
    source = html.source_environment()
    report = sample_report(hostile=True)
    changes = [Change(ChangeKind.CERT_REPLACED, "alternativet.dk", HOSTILE, "new")]
    views = {"certifikater": public_page(report), "adgang": access_page(report, changes)}
    for page, view in views.items():
        name = f"{page}.html.j2"
        from_code = compiled.get_template(name).render(page=view)
        assert from_code == source.get_template(name).render(page=view)
        assert "&lt;script&gt;" in from_code  # escaped by the compiled code too
        assert "<script>" not in from_code


@pytest.fixture
def copy(tmp_path: Path) -> tuple[Path, Path]:
    templates, compiled = tmp_path / "templates", tmp_path / "compiled"
    shutil.copytree(precompiled.TEMPLATES, templates)
    precompiled.write(html.source_environment(), compiled, templates)
    return templates, compiled


def test_the_compiled_code_is_used_while_it_matches(copy: tuple[Path, Path]) -> None:
    templates, compiled = copy
    assert isinstance(precompiled.loader(templates, compiled), jinja2.ModuleLoader)


def test_an_edited_template_falls_back_to_compiling_it(copy: tuple[Path, Path]) -> None:
    templates, compiled = copy
    page = templates / "certifikater.html.j2"
    page.write_text(page.read_text(encoding="utf-8") + "\n<p>ny</p>\n", encoding="utf-8")
    assert precompiled.loader(templates, compiled) is None


def test_another_jinja2_falls_back_to_compiling(copy: tuple[Path, Path]) -> None:
    templates, compiled = copy
    written = json.loads((compiled / precompiled.MANIFEST).read_text(encoding="utf-8"))
    written["jinja2"] = "2.11.3"  # code from another Jinja2 may call what this one lacks
    (compiled / precompiled.MANIFEST).write_text(json.dumps(written), encoding="utf-8")
    assert precompiled.loader(templates, compiled) is None


@pytest.mark.parametrize("manifest", ["", "{not json", "[]", '{"jinja2": 3}'])
def test_a_broken_manifest_falls_back_to_compiling(copy: tuple[Path, Path], manifest: str) -> None:
    templates, compiled = copy
    (compiled / precompiled.MANIFEST).write_text(manifest, encoding="utf-8")
    assert precompiled.loader(templates, compiled) is None


def test_no_compiled_folder_falls_back_to_compiling(tmp_path: Path) -> None:
    assert precompiled.loader(precompiled.TEMPLATES, tmp_path / "missing") is None


def test_the_manifest_names_the_jinja2_that_wrote_it(copy: tuple[Path, Path]) -> None:
    _, compiled = copy
    written = json.loads((compiled / precompiled.MANIFEST).read_text(encoding="utf-8"))
    assert written["jinja2"] == jinja2.__version__
    assert set(written["templates"]) == {"base.html.j2", "certifikater.html.j2", "adgang.html.j2"}
