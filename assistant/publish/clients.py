"""Talking to Zendesk and PagerDuty: credentials from the environment, retries, and errors that say what to do.

Credentials are read from the environment when a client is made and live only in its headers:
never written, never in a message (:func:`assistant.redact.redact_secrets` cleans every vendor
answer quoted). A 429 waits as long as the vendor asks (capped) and retries; a 5xx or a broken
connection backs off and retries; a 401/403 stops the whole apply at once, because nothing else
would succeed either. Pages are followed only on the same origin, so a crafted ``next_page`` URL
cannot receive the credentials.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from assistant.errors import ConfigurationError, PlaybookError
from assistant.publish.model import Target
from assistant.redact import redact_secrets

MAX_WAIT_SECONDS = 30.0
MAX_PAGES = 50
#: where each kind of object lives: (list path, the list's key in the answer)
COLLECTIONS: dict[str, tuple[str, str]] = {
    "trigger_category": ("/api/v2/trigger_categories", "trigger_categories"),
    "trigger": ("/api/v2/triggers", "triggers"),
    "sla_policy": ("/api/v2/slas/policies", "sla_policies"),
    "group": ("/api/v2/groups", "groups"),
    "escalation_policy": ("/escalation_policies", "escalation_policies"),
    "service": ("/services", "services"),
    "schedule": ("/schedules", "schedules"),
}
ENVIRONMENT = {
    "zendesk": ("ZENDESK_SUBDOMAIN", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN"),
    "pagerduty": ("PAGERDUTY_API_TOKEN",),
}
_VENDOR = {"zendesk": "Zendesk", "pagerduty": "PagerDuty"}


class PublishError(PlaybookError):
    """A vendor refused or failed a request; the message names the vendor, the status and what to do."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class CredentialsRefused(PublishError):
    """401/403: the credentials are wrong or lack the permission; nothing else will succeed."""


class VendorClient:
    """One vendor's REST API with the credentials it was made with."""

    def __init__(
        self,
        target: Target,
        base_url: str,
        headers: Mapping[str, str],
        *,
        secrets: tuple[str, ...] = (),
        transport: httpx.BaseTransport | None = None,
        retries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.target = target
        self.vendor = _VENDOR[target]
        self._origin = urlsplit(base_url)[:2]
        self._secrets = secrets
        self._retries = retries
        self._sleep = sleep
        self._http = httpx.Client(base_url=base_url, headers=dict(headers), transport=transport, timeout=30.0, follow_redirects=False)

    def close(self) -> None:
        self._http.close()

    def list(self, kind: str, **params: str) -> list[dict[str, Any]]:
        """Every object of ``kind``, following pages (PagerDuty's offsets, Zendesk's ``next_page`` on the same origin)."""
        path, key = COLLECTIONS[kind]
        found: list[dict[str, Any]] = []
        url, query = path, dict(params)
        for _ in range(MAX_PAGES):
            answer = self.request("GET", url, params=query or None)
            page = answer.get(key) or []
            found += page
            if self.target == "pagerduty":
                if not answer.get("more") or not page:
                    break
                query = {**query, "offset": str(int(answer.get("offset") or 0) + len(page))}
                continue
            link = answer.get("next_page")
            if not link or urlsplit(link)[:2] != self._origin:
                break
            url, query = link, {}
        return found

    def create(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        path, _ = COLLECTIONS[kind]
        return self._object(self.request("POST", path, json=body))

    def update(self, kind: str, object_id: str, body: dict[str, Any]) -> dict[str, Any]:
        path, _ = COLLECTIONS[kind]
        return self._object(self.request("PUT", f"{path}/{object_id}", json=body))

    @staticmethod
    def _object(answer: dict[str, Any]) -> dict[str, Any]:
        inner = next(iter(answer.values()), None) if len(answer) == 1 else answer
        return inner if isinstance(inner, dict) else answer

    def request(self, method: str, url: str, *, params: Any = None, json: Any = None) -> dict[str, Any]:
        """One call, retried on 429, 5xx and broken connections; JSON back, or a :class:`PublishError`."""
        what = f"{self.vendor} {method} {urlsplit(url).path}"
        for attempt in range(self._retries + 1):
            last = attempt == self._retries
            try:
                response = self._http.request(method, url, params=params, json=json)
            except httpx.HTTPError as exc:
                if last:
                    raise PublishError(f"{what}: could not connect ({self._clean(str(exc))}); check the network and try again.") from None
                self._sleep(2.0**attempt)
                continue
            if response.status_code < 400:
                return response.json() if response.content else {}
            if response.status_code in (401, 403):
                raise CredentialsRefused(self._refused(response.status_code), response.status_code)
            if response.status_code == 429 and not last:
                self._sleep(min(MAX_WAIT_SECONDS, _retry_after(response) or 2.0**attempt))
                continue
            if response.status_code >= 500 and not last:
                self._sleep(2.0**attempt)
                continue
            raise PublishError(self._failed(what, response), response.status_code)
        raise AssertionError("unreachable")

    def _refused(self, status: int) -> str:
        names = " and ".join(ENVIRONMENT[self.target][1:] or ENVIRONMENT[self.target])
        if status == 401:
            return f"{self.vendor} refused the credentials (401): check {names}."
        return f"{self.vendor} refused the request (403): the account behind {names} needs admin rights for triggers, SLA policies and escalation policies."

    def _failed(self, what: str, response: httpx.Response) -> str:
        detail = self._clean(response.text[:300].strip())
        if response.status_code == 429:
            return f"{what}: still rate limited (429) after {self._retries} retries; wait a minute and apply again (what was applied stays)."
        if response.status_code >= 500:
            return f"{what}: {self.vendor} failed ({response.status_code}) after {self._retries} retries; try again later. {detail}".strip()
        return f"{what}: {self.vendor} rejected it ({response.status_code}): {detail}"

    def _clean(self, text: str) -> str:
        return redact_secrets(text, self._secrets)


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers.get("retry-after", ""))
    except ValueError:
        return None


def client_from_environment(
    target: Target, environ: Mapping[str, str] | None = None, *, transport: httpx.BaseTransport | None = None, **options: Any
) -> VendorClient | None:
    """A client with the credentials in the environment, or None when none are set.

    ``ZENDESK_SUBDOMAIN``, ``ZENDESK_EMAIL`` and ``ZENDESK_API_TOKEN``; ``PAGERDUTY_API_TOKEN``.
    ``ZENDESK_URL`` / ``PAGERDUTY_URL`` point at a sandbox or a proxy instead of the vendor's API.
    """
    env = os.environ if environ is None else environ
    names = ENVIRONMENT[target]
    values = {name: env.get(name, "").strip() for name in names}
    if not any(values.values()):
        return None
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise ConfigurationError(f"Set {' and '.join(missing)} too, to publish to {_VENDOR[target]} (or unset the others for a dry run).")
    if target == "zendesk":
        base = env.get("ZENDESK_URL") or f"https://{values['ZENDESK_SUBDOMAIN']}.zendesk.com"
        pair = base64.b64encode(f"{values['ZENDESK_EMAIL']}/token:{values['ZENDESK_API_TOKEN']}".encode()).decode()
        headers = {"Authorization": f"Basic {pair}", "Accept": "application/json"}
        secrets = (values["ZENDESK_API_TOKEN"], pair)
    else:
        base = env.get("PAGERDUTY_URL") or "https://api.pagerduty.com"
        headers = {"Authorization": f"Token token={values['PAGERDUTY_API_TOKEN']}", "Accept": "application/vnd.pagerduty+json;version=2"}
        secrets = (values["PAGERDUTY_API_TOKEN"],)
    return VendorClient(target, base.rstrip("/"), headers, secrets=secrets, transport=transport, **options)
