"""Discovery's messages in the catalog: a crt.sh outage is Danish on the pages all the way down.

crt.sh's failure is worded by the auditor (`CtError` carries a message), nested in the
coverage check's error, and handed through the run's inventory to the ct family, whose
"could not check" quotes it again: every level must stay translatable.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.core.config import parse_config
from auditor.core.family import AuditContext
from auditor.core.inventory import Inventory
from auditor.core.model import Status
from checks.discovery import crtsh, ct
from checks.discovery import family as discovery
from checks.discovery.sources import gather
from reports.catalog import translate
from tests.support.crtsh_fake import FakeCrtSh, Scripted

ADDRESS = "127.0.17.42"


@pytest.fixture
def down() -> Iterator[FakeCrtSh]:
    server = FakeCrtSh(ADDRESS, {})
    # A 502 every time, with no wait between the tries.
    server.script(
        *(Scripted(502, headers={"retry-after": "0"}) for _ in range(crtsh.MAX_RETRIES + 1))
    )
    try:
        yield server
    finally:
        server.close()


def test_a_crtsh_outage_is_translated_in_coverage_and_in_the_ct_check(
    down: FakeCrtSh, tmp_path: Path
) -> None:
    config = f"""
[discovery]
domains = ["lab.test"]
dns_zones = false
crtsh_url = "{down.base}"
expected_issuers = ["Let's Encrypt"]
"""
    ctx = AuditContext(parse_config(config, "t", tmp_path))
    assert ctx.config.discovery is not None
    gathered = gather(ctx, ctx.config.discovery)
    (coverage,) = discovery.findings_of(discovery.Found((), tuple(gathered.problems))).findings
    (target,) = ct._targets(ctx, Inventory(ct_log=gathered.ct_log))
    (issuers,) = ct.evaluate(target).findings
    assert (coverage.status, issuers.status) == (Status.ERROR, Status.ERROR)
    # The CLI and report.json: English, as before.
    assert coverage.message == (
        "Could not check this week that every site is found: Certificate Transparency could "
        "not be read from crt.sh (crt.sh answered 502 4 times); there is no earlier list."
    )
    assert issuers.message == (
        "Could not check this week: crt.sh could not be read (crt.sh answered 502 4 times). "
        "The last list read showed no certificate from an unexpected issuer."
    )
    # The pages: Danish, the nested phrases too.
    assert translate(coverage).text == (
        "Kunne ikke kontrollere denne uge, at alle hjemmesider er fundet: Certificate "
        "Transparency kunne ikke læses fra crt.sh (crt.sh svarede 502 4 gange); der er ingen "
        "tidligere liste."
    )
    assert translate(issuers).text == (
        "Kunne ikke kontrolleres denne uge: crt.sh kunne ikke læses (crt.sh svarede 502 4 "
        "gange). Den sidst læste liste viste intet certifikat fra en uventet udsteder."
    )
