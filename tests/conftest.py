"""Fixtures shared across the suite live in tests/support/ and are registered here."""

pytest_plugins = [
    "tests.support.sites_lab",
    "tests.support.sshd_lab",
    "tests.support.digitalocean_fake",
    "tests.support.discovery_lab",
]
