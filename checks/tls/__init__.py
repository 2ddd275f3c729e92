"""The `tls` family: each site's certificate and how it speaks TLS (probe, certificate
judgement, the --deep enumeration, the record the pages read)."""
