"""The `mail` family: MX, SPF, DKIM, DMARC, MTA-STS, TLS-RPT, DNSSEC and CAA of the mail
domains (the DNS answers, the records' parsers, the MTA-STS fetch, the checks over them)."""
