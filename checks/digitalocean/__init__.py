"""The `digitalocean` family: the account's droplets, load balancers, reserved IPs, firewalls
and certificates (the API client, the parsed inventory, the checks over it)."""
