"""The vendor clients: pages followed on the vendor's own origin only, PagerDuty offsets, credentials in headers only."""

from __future__ import annotations

import httpx

from assistant.publish import client_from_environment

ZENDESK = {"ZENDESK_SUBDOMAIN": "atlasflow", "ZENDESK_EMAIL": "ops@atlasflow.example", "ZENDESK_API_TOKEN": "zd-secret-1"}


def test_zendesk_follows_next_page_on_its_own_origin_and_never_elsewhere() -> None:
    seen: list[tuple[str, str | None]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append((str(request.url), request.headers.get("authorization")))
        if request.url.params.get("page") == "2":
            return httpx.Response(200, json={"groups": [{"id": 2, "name": "B"}], "next_page": "https://evil.example/api/v2/groups?page=3"})
        return httpx.Response(200, json={"groups": [{"id": 1, "name": "A"}], "next_page": "https://atlasflow.zendesk.com/api/v2/groups?page=2"})

    client = client_from_environment("zendesk", ZENDESK, transport=httpx.MockTransport(answer))
    assert [g["name"] for g in client.list("group")] == ["A", "B"]
    assert [url for url, _ in seen] == ["https://atlasflow.zendesk.com/api/v2/groups", "https://atlasflow.zendesk.com/api/v2/groups?page=2"]
    assert all(auth and auth.startswith("Basic ") for _, auth in seen)


def test_pagerduty_pages_by_offset_with_its_token_header() -> None:
    offsets: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Token token=pd-secret-2"
        offsets.append(request.url.params.get("offset"))
        more = request.url.params.get("offset") is None
        return httpx.Response(200, json={"schedules": [{"id": f"S{len(offsets)}", "name": "On call"}], "more": more, "offset": 0, "limit": 1})

    client = client_from_environment("pagerduty", {"PAGERDUTY_API_TOKEN": "pd-secret-2"}, transport=httpx.MockTransport(answer))
    assert [s["id"] for s in client.list("schedule", query="On call")] == ["S1", "S2"]
    assert offsets == [None, "1"]
