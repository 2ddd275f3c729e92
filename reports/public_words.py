"""What the public page tells a visitor about a promise that does not hold or was not checked.

Plain Danish, one sentence per cause, and only public facts: a site's name may be shown (it
is public), but never a server's name or address, a key's holder or an error's own text. A
check that fails or warns is told by what is wrong (not by its title, which says what
should be true); a check that could not run is told by why, known from its message's
template (`Finding.wording`), never from the message itself.
"""

# ruff: noqa: E501 - tables of sentences, one a line

from __future__ import annotations

from auditor.core.messages import Message
from auditor.core.model import ClaimId, Finding, Status

# What is wrong, by check, when it fails.
FAILS = {
    "tls.connect": "Hjemmesiden kunne ikke nås over en sikker forbindelse",
    "tls.cert.trusted": "Hjemmesidens certifikat er ikke udstedt af en udsteder, som browsere stoler på",
    "tls.cert.chain_complete": "Hjemmesiden sender ikke hele certifikatkæden, så nogle programmer kan ikke stole på den",
    "tls.cert.hostname": "Hjemmesidens certifikat gælder ikke for hjemmesidens navn",
    "tls.cert.expiry": "Hjemmesidens certifikat er udløbet eller endnu ikke gyldigt",
    "tls.cert.key": "Hjemmesidens certifikat har en for svag nøgle",
    "tls.cert.signature": "Hjemmesidens certifikat er underskrevet med en forældet metode",
    "tls.protocols": "Hjemmesiden tillader forældede versioner af TLS",
    "tls.ciphers": "Hjemmesiden tillader svag kryptering",
    "https.redirect": "Hjemmesiden sender ikke besøgende fra http:// videre til https://",
    "https.hsts": "Hjemmesiden beder ikke browseren om altid at bruge https:// (HSTS)",
    "do.droplet.region": "En server står uden for Amsterdam",
    "do.certificate.expiry": "Et certifikat hos DigitalOcean er udløbet",
    "ssh.auth.password": "En server tillader login med adgangskode",
    "ssh.auth.keyboard_interactive": "En server tillader login, hvor man skriver en adgangskode",
    "ssh.auth.other_methods": "En server tillader login med andet end en nøgle, som en person har",
    "ssh.auth.publickey": "En server tilbyder ikke login med nøgle, eller lukker ind uden nogen nøgle",
    "ssh.config.effective": "En servers opsætning tillader login med adgangskode",
    "dns.points_to_inventory": "Hjemmesiden peger på en server uden for Amsterdam eller uden for vores konto",
    "access.key.unknown": "En nøgle, der giver adgang, tilhører ingen godkendt medarbejder",
    "access.key.unapproved": "En nøgle tilhører en person, der ikke er godkendt, eller som ikke er i Landssekretariatet",
    "access.key.weak": "En nøgle, der giver adgang, er for svag",
    "access.holders.count": "Flere har adgang end det antal, vi har sat som grænse",
    "mail.mx": "Mail til et af vores domæner går til servere, der ikke er Googles",
    "mail.spf": "Et af vores maildomæner forhindrer ikke andre i at sende mail i vores navn (SPF)",
    "mail.dkim": "Et af vores maildomæner underskriver mail med en nøgle, der er så kort, at underskriften kan forfalskes (DKIM)",
    "mail.dmarc": "Et af vores maildomæner beder ikke modtagerne om at afvise forfalsket mail (DMARC)",
    "mail.dnssec": "Et af vores maildomæners DNSSEC-underskrifter kan ikke efterprøves, så opslag i domænet kan slå fejl",
}

# What could be better, by check, when it warns beside a promise that holds.
WARNS = {
    "tls.cert.expiry": "Hjemmesidens certifikat udløber snart og skal fornyes",
    "tls.ciphers": "Hjemmesiden tillader ældre krypteringsmetoder, som bør udfases",
    "https.redirect": "Hjemmesiden svarer slet ikke på http://, så en besøgende, der skriver navnet uden https://, får en fejl",
    "https.hsts": "Hjemmesiden beder browseren om at bruge https:// i mindre end et år ad gangen",
    "do.droplet.region": "En ressource hos DigitalOcean er ikke knyttet til en region",
    "do.firewall.ssh_open": "En firewall lader hele internettet nå serverens login-port (SSH)",
    "do.droplet.no_firewall": "En server er ikke bag en firewall hos DigitalOcean",
    "do.certificate.expiry": "Et certifikat hos DigitalOcean udløber snart",
    "dns.points_to_inventory": "En hjemmeside, som en databehandler skulle drive, peger på vores egne servere, så opsætningen er forældet",
    "dns.front.bypass": "Serveren bag en hjemmeside kan nås direkte, uden om den tjeneste, der står foran den",
    "ssh.auth.keyboard_interactive": "En server tilbyder en adgangskode-prompt, men kun efter en nøgle",
    "ssh.auth.other_methods": "En server stoler på en anden servers nøgle (hostbased login)",
    "ssh.config.effective": "En server tillader root at logge ind direkte med nøgle",
    "access.key.unknown": "En linje i en nøglefil er ikke en gyldig nøgle",
    "access.key.weak": "En nøgle er kortere end anbefalet",
    "sites.coverage": "Værktøjet har fundet en hjemmeside, som ikke står på vores liste over hjemmesider; den er kontrolleret alligevel",
    "ct.issuer": "Et certifikat for et af vores domæner er udstedt af en udsteder, vi ikke bruger, og kan være falsk eller udstedt ved en fejl",
    "mail.spf": "Et af vores maildomæners liste over, hvem der må sende mail i vores navn (SPF), kan gøres strammere",
    "mail.dkim": "Et af vores maildomæner mangler en gyldig nøgle til at underskrive mail (DKIM), eller nøglen er kortere end anbefalet",
    "mail.dmarc": "Et af vores maildomæner beder modtagerne om at lægge forfalsket mail i spam frem for at afvise den, eller får ikke rapporter om den (DMARC)",
    "mail.mta_sts": "Et af vores maildomæner kræver ikke, at mail til os sendes krypteret (MTA-STS)",
    "mail.tls_rpt": "Et af vores maildomæner får ikke besked, når krypteret levering af mail slår fejl (TLS-RPT)",
    "mail.dnssec": "Et af vores maildomæner er ikke beskyttet med DNSSEC",
    "mail.caa": "Et af vores domæner begrænser ikke, hvem der må udstede certifikater til det (CAA), eller begrænsningen passer ikke til vores certifikater",
}

# Why a check could not run, by its message's template (the outer one, or for "Not checked:
# {reason}." the reason's).
CAUSES = {
    "Not checked: no DigitalOcean token ({variable} is not set).": "Værktøjet havde ikke adgang til at læse vores konto hos DigitalOcean.",
    "Not checked: the DigitalOcean inventory was not read (no token, or API error).": "Værktøjet havde ikke adgang til at læse vores konto hos DigitalOcean.",
    "The DigitalOcean account could not be read: {error}": "Vores konto hos DigitalOcean kunne ikke læses.",
    "Could not read the DigitalOcean inventory: {error}": "Vores konto hos DigitalOcean kunne ikke læses.",
    "no auditor credentials configured": "Værktøjet havde ikke adgang til at logge ind på serverne og læse, hvem der har nøgler.",
    "no authorized_keys could be read (no auditor credentials, or every read failed) and the DigitalOcean account gave no keys": "Værktøjet kunne ikke læse, hvilke nøgler der giver adgang til serverne.",
    "Not checked: no roster configured (access.roster).": "Listen over godkendte medarbejdere var ikke sat op.",
    "ssh.connect failed": "En server svarede ikke.",
    "tls.connect failed": "En hjemmeside svarede ikke.",
    "Could not connect: {error}.": "En server eller hjemmeside svarede ikke.",
    "Could not check: the droplet has no public address to reach its SSH server.": "En server har ingen offentlig adresse, som værktøjet kunne nå den på.",
    "could not check: {exception}: {error}": "En kontrol gik galt undervejs.",
    "could not check: the run's deadline was reached first": "Kontrollen nåede ikke at blive færdig i tide.",
    "could not check: no answer within {seconds} s": "En server svarede ikke i tide.",
    "Could not resolve {host}: {error}.": "En hjemmesides navn kunne ikke slås op.",
    "Could not resolve every address of {host}: {error}.": "Ikke alle en hjemmesides adresser kunne slås op.",
    "Could not check: {error}.": "En hjemmeside kunne ikke kontrolleres.",
    "Could not read the roster: {error}": "Listen over godkendte medarbejdere kunne ikke læses.",
    "Could not read the keys of {servers}: the count may be low.": "Nøglerne på en server kunne ikke læses, så vi kan ikke tælle alle, der har adgang.",
    "Could not check this week that every site is found: {problems}.": "En af kilderne til listen over vores hjemmesider kunne ikke læses, så der kan mangle hjemmesider i kontrollen.",
    "Could not check whether {name} serves a site: its only addresses are IPv6, and dns.probe_ipv6 is false.": "Et fundet navn har kun IPv6-adresser, som værktøjet ikke var sat op til at bruge, så vi ved ikke, om det er en hjemmeside.",
    "Not checked: no expected issuer is known (no site served a certificate, and [discovery] expected_issuers is empty).": "Værktøjet vidste ikke, hvilke udstedere vores certifikater skal komme fra.",
    "Could not check this week: {reason}. The last list read showed no certificate from an unexpected issuer.": "Den offentlige liste over udstedte certifikater (Certificate Transparency) kunne ikke læses denne uge.",
    "Could not tell whether {domain} receives mail: {reason}.": "Et af vores maildomæner kunne ikke slås op i DNS.",
    "Could not read the MX records: {reason}.": "Et af vores maildomæner kunne ikke slås op i DNS.",
    "Could not read the SPF record: {error}.": "Et af vores maildomæner kunne ikke slås op i DNS.",
    "Could not read the DKIM key: {reason}.": "Et af vores maildomæner kunne ikke slås op i DNS.",
    "Could not read the DMARC record: {reason}.": "Et af vores maildomæner kunne ikke slås op i DNS.",
    "Could not read the DMARC report authorisation: {reason}.": "Et af vores maildomæner kunne ikke slås op i DNS.",
    "Could not read the MTA-STS record: {reason}.": "Et af vores maildomæner kunne ikke slås op i DNS.",
    "Could not fetch the MTA-STS policy: {reason}.": "Reglerne for krypteret levering af mail til os kunne ikke hentes.",
    "Could not read the TLS-RPT record: {reason}.": "Et af vores maildomæner kunne ikke slås op i DNS.",
    "Could not validate DNSSEC: {reason}.": "Et af vores maildomæners DNSSEC-underskrifter kunne ikke efterprøves.",
    "Could not read the CAA records: {reason}.": "Et af vores maildomæner kunne ikke slås op i DNS.",
    "Not checked: {domain} receives no mail (no MX, or a Null MX).": "Et af vores domæner modtager ikke mail, så kontrollen gælder ikke for det.",
    "{site} is served by {what}: where it is hosted is not known.": "Det vides ikke, hvor den tjeneste hos DigitalOcean, der leverer en hjemmeside, står.",
    "{site}: its origins were not asked.": "Serveren bag en hjemmeside blev ikke spurgt.",
    "Could not confirm that {site} is served from its origin: {problems}. Let the auditor's address through to the origin, or check by hand.": "Det kunne ikke bekræftes, at en hjemmeside leveres fra vores egen server bag den tjeneste, der står foran den.",
    "{site} is hosted by the data processor {name}, not on the party's own servers: {reason}.": "En hjemmeside drives af en databehandler og står ikke på vores egne servere.",
    "{site} is not behind a front": "En hjemmeside står ikke bag en anden tjeneste, så der var ingen server bag den at kontrollere.",
}
SOME_NOT_RUN = {
    Status.ERROR: "En eller flere kontroller kunne ikke gennemføres.",
    Status.SKIPPED: "En eller flere kontroller blev ikke kørt.",
}

# What a promise's status means to a visitor.
MEANS_FAIL = {
    ClaimId.HTTPS: "Forbindelsen til de nævnte hjemmesider lever ikke helt op til løftet: din forbindelse er måske ikke så godt beskyttet, som vi lover.",
    ClaimId.HOSTING: "Ikke alt står, hvor vi lover: dine oplysninger kan ligge på en server uden for Amsterdam.",
    ClaimId.SSH_KEYS: "Mindst én server kan åbnes med andet end en nøgle, for eksempel med en adgangskode, som er lettere at gætte eller stjæle.",
    ClaimId.FEW_HOLDERS: "Andre eller flere end de få godkendte medarbejdere kan have adgang til vores servere.",
    ClaimId.MAIL: "Mail til eller fra os går måske ikke kun gennem Google Workspace, eller andre kan lettere sende mail, der ser ud til at komme fra os.",
}
MEANS = {
    Status.ERROR: "Det betyder ikke, at noget er galt, men vi kan ikke vise, at løftet holder, før kontrollen er gennemført.",
    Status.SKIPPED: "Siden kan derfor ikke vise, om løftet holder.",
}


def cause(finding: Finding) -> str:
    """Why a check could not run, in one plain sentence that quotes nothing of the message."""
    wording = finding.wording
    if wording is not None:
        reason = wording.args.get("reason")
        if wording.template == "Not checked: {reason}." and isinstance(reason, Message):
            return CAUSES.get(reason.template, SOME_NOT_RUN[Status.SKIPPED])
        if wording.template in CAUSES:
            return CAUSES[wording.template]
    return SOME_NOT_RUN.get(finding.status, SOME_NOT_RUN[Status.ERROR])


def problem(finding: Finding, title: str) -> str:
    """What is wrong (a failure) or could be better (a warning), as a phrase without a stop."""
    words = FAILS if finding.status is Status.FAIL else WARNS
    if finding.check in words:
        return words[finding.check]
    if finding.status is Status.FAIL:
        return f"Kontrollen «{title}» bestod ikke"
    return f"Kontrollen «{title}» gav en bemærkning"
