"""The `https` family: http:// redirects to https://, and HSTS (the HTTP client, the
Strict-Transport-Security parser, the record the pages read)."""
