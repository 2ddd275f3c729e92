"""The `ssh` family: the login methods each server offers (the unauthenticated probe) and,
with the auditor's credentials, its effective sshd configuration and authorized_keys."""
