"""The one place that talks to DigitalOcean: python-digitalocean 1.17.0, with its quirks hidden.

What the library does that an auditor cannot accept, and what this module does instead:
- no request timeout unless an environment variable is set: `get_timeout` is overridden;
- no retry on 429 or 5xx: retried here with bounded backoff, honouring `retry-after`;
- the HTTP status is lost in `DataReadError`, and an error body without `message` raises
  IndexError: the raw response is read here, status and body kept;
- `Manager` follows `links.pages.next` to whatever host it names, bearer token included:
  pages are fetched here, and a `next` link to any other scheme, host or port is refused;
- objects the Manager creates ignore an endpoint given as an argument (they read
  DIGITALOCEAN_END_POINT): no library objects are created, the JSON becomes our models;
- a firewall rule whose `sources` is `{}` has no `.sources`: rules are read from the JSON.
The token is only ever put in the Authorization header the library builds; it is never
logged, and every message that leaves this module is scrubbed of it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urljoin, urlsplit

import requests
from digitalocean.baseapi import GET, BaseAPI

from auditor.core.documents import json_value
from auditor.core.errors import CredentialsError, DigitalOceanError

MAX_RETRIES = 4
MAX_RETRY_WAIT = 30.0
MAX_PAGES = 500
PER_PAGE = 200


class _RequestLayer(BaseAPI):  # type: ignore[misc]
    """python-digitalocean's request layer (auth header, user agent, session), bounded in time."""

    def __init__(self, token: str, endpoint: str, timeout: float) -> None:
        super().__init__(token=token, end_point=endpoint)
        self._timeout = timeout

    def get_timeout(self) -> float:
        return self._timeout

    def raw_get(self, path: str, params: dict[str, Any]) -> requests.Response:
        # The library's own request method, without its error handling and pagination.
        response: requests.Response = self._BaseAPI__perform_request(path, GET, params)
        return response


@dataclass
class DigitalOceanClient:
    token: str
    endpoint: str
    timeout: float
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        self._api = _RequestLayer(self.token, self.endpoint, self.timeout)
        origin = urlsplit(self.endpoint)
        self._origin = (origin.scheme, origin.hostname, origin.port)

    def _scrub(self, text: str) -> str:
        return text.replace(self.token, "[token]") if self.token else text

    def _failure(
        self, message: str, status: int | None = None, error_id: str | None = None
    ) -> DigitalOceanError:
        """Every error this client raises, made here: its message is scrubbed of the token.

        Messages quote what the API sent (error bodies, links), and an API can echo the token.
        """
        return DigitalOceanError(self._scrub(message), status, error_id)

    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        if not _sendable(self.token):
            # requests refuses it (InvalidHeader) or http.client cannot encode it: no answer
            # would ever come, and retrying would only wait.
            raise CredentialsError(
                "The DigitalOcean token holds a space, a line break or a non-ASCII character, "
                "which no Authorization header can carry: copy the token again"
            )
        for attempt in range(MAX_RETRIES + 1):
            try:
                response = self._api.raw_get(path, params)
            except requests.RequestException as exc:
                if attempt == MAX_RETRIES:
                    raise self._failure(f"no answer from the API: {type(exc).__name__}") from None
                self.sleep(min(2**attempt, MAX_RETRY_WAIT))
                continue
            if response.status_code == 429 or response.status_code >= 500:
                if attempt == MAX_RETRIES:
                    raise self._error(response)
                self.sleep(self._retry_wait(response, attempt))
                continue
            if response.status_code in (401, 403):
                raise CredentialsError(
                    self._scrub(
                        f"DigitalOcean refused the token ({response.status_code}: "
                        f"{self._message(response)})"
                    )
                )
            if not response.ok:
                raise self._error(response)
            try:
                data = json_value(response.content)
            except ValueError:
                raise self._failure(
                    f"the API's answer to {path} is not JSON", response.status_code
                ) from None
            if not isinstance(data, dict):
                raise self._failure(f"the API's answer to {path} is not a JSON object")
            return data
        raise self._failure("unreachable")  # the loop always returns or raises

    @staticmethod
    def _retry_wait(response: requests.Response, attempt: int) -> float:
        header = response.headers.get("retry-after", "")
        try:
            wait = float(header)
        except ValueError:
            wait = float(2**attempt)
        return max(0.0, min(wait, MAX_RETRY_WAIT))

    def _message(self, response: requests.Response) -> str:
        try:
            body = json_value(response.content)
        except ValueError:
            return "no JSON error body"
        if isinstance(body, dict):
            return str(body.get("message") or body.get("id") or "no message")
        return "no message"

    def _error(self, response: requests.Response) -> DigitalOceanError:
        error_id = None
        try:
            body = json_value(response.content)
            error_id = body.get("id") if isinstance(body, dict) else None
        except ValueError:
            pass
        return self._failure(
            f"the API answered {response.status_code}: {self._message(response)}",
            response.status_code,
            error_id if isinstance(error_id, str) else None,
        )

    def _same_origin(self, url: str) -> bool:
        parts = urlsplit(url)
        return (parts.scheme, parts.hostname, parts.port) == self._origin

    def collection(self, path: str, key: str) -> list[dict[str, Any]]:
        """Every object of a paginated collection, fetched page by page from our endpoint only."""
        items: list[dict[str, Any]] = []
        params: dict[str, Any] = {"page": 1, "per_page": PER_PAGE}
        for _ in range(MAX_PAGES):
            data = self._get(path, params)
            page = data.get(key)
            if not isinstance(page, list):
                raise self._failure(f"the answer to {path} has no list {key!r}")
            items += [item for item in page if isinstance(item, dict)]
            link = _next_link(data)
            if not link:
                return items
            # A relative link ("/v2/droplets?page=2") is on the endpoint's own host.
            next_url = urljoin(self.endpoint + path, link)
            if not self._same_origin(next_url):
                raise self._failure(
                    "refused to follow a next-page link to another host "
                    f"({urlsplit(next_url).hostname})"
                )
            query = parse_qs(urlsplit(next_url).query)
            try:
                params = {"page": int(query["page"][0]), "per_page": PER_PAGE}
            except (KeyError, ValueError):
                raise self._failure(f"a next-page link without a page number: {next_url}") from None
        raise self._failure(f"more than {MAX_PAGES} pages of {path}")

    def apps(self) -> list[dict[str, Any]]:
        """App Platform apps (`/v2/apps`): python-digitalocean 1.17 has no call for them, so
        they are read through its request layer like every other collection here."""
        return self.collection("apps", "apps")

    def cdn_endpoints(self) -> list[dict[str, Any]]:
        """Spaces CDN endpoints (`/v2/cdn/endpoints`), each with the origin it serves."""
        return self.collection("cdn/endpoints", "endpoints")

    def account(self) -> dict[str, Any]:
        data = self._get("account", {})
        account = data.get("account")
        return account if isinstance(account, dict) else {}

    def domains(self) -> list[str]:
        """The names of the account's DNS zones (GET /v2/domains)."""
        return [str(d["name"]) for d in self.collection("domains", "domains") if d.get("name")]

    def domain_records(self, domain: str) -> list[dict[str, Any]]:
        """Every record of one DNS zone (GET /v2/domains/{name}/records)."""
        # The zone's name came from the API: quoted, so that it can only name a zone.
        return self.collection(f"domains/{quote(domain, safe='')}/records", "domain_records")


def _sendable(token: str) -> bool:
    """Visible ASCII only: what a bearer token is made of (RFC 6750), and all a header takes."""
    return all("!" <= ch <= "~" for ch in token)


def _next_link(data: dict[str, Any]) -> str | None:
    """`links.pages.next`, or None where the answer has none (or not in the documented shape)."""
    links = data.get("links")
    pages = links.get("pages") if isinstance(links, dict) else None
    link = pages.get("next") if isinstance(pages, dict) else None
    return link if isinstance(link, str) and link else None
