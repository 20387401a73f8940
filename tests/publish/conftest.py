"""Loopback vendors for the publishing tests, with the example company's groups and schedules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.analytics.policy import EscalationPolicy, policy_from_variables
from assistant.analytics.policy.conventions import LEVEL_ROUTING

from fake_vendors import FakeVendor


@pytest.fixture
def policy(atlasflow) -> EscalationPolicy:
    return policy_from_variables(atlasflow)


@pytest.fixture
def zendesk() -> Iterator[FakeVendor]:
    vendor = FakeVendor("zendesk")
    for name in LEVEL_ROUTING.values():
        vendor.seed("group", name=name)
    vendor.seed("group", name="Billing")
    yield vendor
    vendor.close()


@pytest.fixture
def pagerduty() -> Iterator[FakeVendor]:
    vendor = FakeVendor("pagerduty")
    for name in LEVEL_ROUTING.values():
        vendor.seed("schedule", name=name, type="schedule")
    yield vendor
    vendor.close()


@pytest.fixture
def environ(zendesk: FakeVendor, pagerduty: FakeVendor) -> dict[str, str]:
    """Credentials as a person sets them, pointed at the loopback vendors."""
    return {
        "ZENDESK_SUBDOMAIN": "atlasflow", "ZENDESK_EMAIL": "ops@atlasflow.example", "ZENDESK_API_TOKEN": "zd-secret-token-123",
        "ZENDESK_URL": zendesk.url, "PAGERDUTY_API_TOKEN": "pd-secret-token-456", "PAGERDUTY_URL": pagerduty.url,
    }
