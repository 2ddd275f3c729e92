"""`auditor mail DOMAIN...` and `auditor run` with `[mail]`, as a user runs them, against
the mail lab (a DNS server and nginx on loopback)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import auditor_command, run
from tests.support.mail_lab import MailLab


def _config(mail_lab: MailLab, tmp_path: Path, domains: list[str]) -> Path:
    path = tmp_path / "auditor.toml"
    path.write_text(mail_lab.config_text(domains))
    return path


def test_auditor_mail_runs_the_family_alone_on_the_named_domains(
    mail_lab: MailLab, tmp_path: Path
) -> None:
    config = _config(mail_lab, tmp_path, [])
    result = run(
        auditor_command(
            "mail", "good.test", "othermx.test", "--config", str(config), "--format", "json"
        )
    )
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["run"]["command"] == "mail"
    claim = next(c for c in report["claims"] if c["id"] == "mail")
    assert claim["status"] == "fail"
    assert claim["text"] == "Al mailkommunikation foregår gennem Google Workspace."
    statuses = {(f["check"], f["target"]): f["status"] for f in report["findings"]}
    assert statuses[("mail.mx", "othermx.test")] == "fail"
    assert statuses[("mail.mx", "good.test")] == "pass"
    # Only the mail family ran: no site, server or account was looked at.
    assert {f["check"].split(".")[0] for f in report["findings"]} == {"mail"}


def test_auditor_mail_prints_a_table_and_exits_0_when_the_promise_holds(
    mail_lab: MailLab, tmp_path: Path
) -> None:
    config = _config(mail_lab, tmp_path, [])
    result = run(auditor_command("mail", "good.test", "--config", str(config)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "mail.spf" in result.stdout
    assert "mail.dmarc" in result.stdout


def test_auditor_mail_refuses_an_address_or_a_bare_name_in_one_line(tmp_path: Path) -> None:
    for bad in ("192.0.2.1", "localhost", "bad name.dk"):
        result = run(auditor_command("mail", bad))
        assert result.returncode == 2, bad
        assert "not a mail domain" in result.stderr
        assert "Traceback" not in result.stderr


def test_auditor_run_with_mail_domains_reports_the_cases(mail_lab: MailLab, tmp_path: Path) -> None:
    config = _config(mail_lab, tmp_path, ["good.test", "dmarcnone.test", "nullmx.test"])
    out = tmp_path / "out"
    result = run(auditor_command("run", "--config", str(config), "--out", str(out)))
    assert result.returncode == 1, result.stderr
    report = json.loads((out / "report.json").read_text())
    statuses = {(f["check"], f["target"]): f["status"] for f in report["findings"]}
    assert statuses[("mail.dmarc", "dmarcnone.test")] == "fail"
    assert statuses[("mail.dmarc", "good.test")] == "pass"
    assert statuses[("mail.mx", "nullmx.test")] == "pass"
    assert 'auditor_claim_holds{claim="mail"} 0' in (out / "auditor.prom").read_text()
    assert (
        "Al mailkommunikation foregår gennem Google Workspace."
        in (out / "certifikater.html").read_text()
    )
