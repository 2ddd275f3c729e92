"""The Prometheus textfile, parsed back with Prometheus' own parser."""

from __future__ import annotations

from dataclasses import replace

from prometheus_client.parser import text_string_to_metric_families

from reports import metrics
from tests.support.reports import certificate, sample_report


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_metrics_parse_and_carry_the_run() -> None:
    report = sample_report()
    text = metrics.render(report)
    values = samples(text)
    expiry = (
        "auditor_certificate_expiry_days",
        (("address", "198.51.100.23"), ("port", "443"), ("site", "alternativet.dk")),
    )
    assert values[expiry] == 35
    assert values[("auditor_claim_holds", (("claim", "https"),))] == 1
    assert values[("auditor_claim_holds", (("claim", "ssh-keys"),))] == 0
    assert values[("auditor_claim_status", (("claim", "ssh-keys"), ("status", "fail")))] == 1
    assert values[("auditor_findings", (("check", "access.key.unknown"), ("status", "fail")))] == 1
    assert values[("auditor_findings", (("check", "access.key.unknown"), ("status", "pass")))] == 1
    assert values[("auditor_last_run_timestamp_seconds", ())] == 1795581000.0
    assert values[("auditor_run_duration_seconds", ())] == 60.5
    assert values[("auditor_exit_code", ())] == 1
    assert text.count("# TYPE auditor_findings gauge") == 1


def test_label_values_are_escaped() -> None:
    report = sample_report()
    odd = certificate('we"ird\\site\nname', days_left=3)
    report = replace(report, inventory=replace(report.inventory, certificates=(odd,)))
    text = metrics.render(report)
    assert 'site="we\\"ird\\\\site\\nname"' in text
    values = samples(text)
    sites = [dict(labels)["site"] for (name, labels) in values if name.endswith("expiry_days")]
    assert sites == ['we"ird\\site\nname']


def test_a_label_value_that_is_not_unicode_text_is_written_as_its_escape() -> None:
    report = sample_report()
    odd = certificate("lone\ud800surrogate", days_left=3)
    report = replace(report, inventory=replace(report.inventory, certificates=(odd,)))
    text = metrics.render(report).encode("utf-8").decode("utf-8")
    values = samples(text)
    sites = [dict(labels)["site"] for (name, labels) in values if name.endswith("expiry_days")]
    assert sites == ["lone\\ud800surrogate"]
