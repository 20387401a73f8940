"""Publishing the approved policy into the tools a team runs on: Zendesk Support and PagerDuty.

:func:`bundle` turns an :class:`~assistant.analytics.policy.EscalationPolicy` into the exact JSON
bodies of each vendor's REST API (:mod:`.zendesk`, :mod:`.pagerduty`), each checked against the
vendor's API description (:mod:`.schemas`). :func:`plan` compares them with what the studio
published before (recognised by the policy's name prefix) and :func:`apply` sends only what
changed (:mod:`.plan`, :mod:`.apply`, :mod:`.clients`). :func:`import_policy` reads an existing
configuration back into a policy (:mod:`.importing`). Credentials come from the environment only.
May import analytics (the policy) and the base; the faces reach it through the Studio.
"""

from assistant.publish.apply import ApplyReport, Outcome
from assistant.publish.clients import ENVIRONMENT, CredentialsRefused, PublishError, client_from_environment
from assistant.publish.importing import import_policy, live_differences, profile_lines
from assistant.publish.model import TARGETS, Bundle, Resource, Target
from assistant.publish.plan import Change, Plan
from assistant.publish.publishing import Publication, bundle, publish, write_bundle
from assistant.publish.schemas import api_description, body_problems

__all__ = [
    "ENVIRONMENT",
    "TARGETS",
    "ApplyReport",
    "Bundle",
    "Change",
    "CredentialsRefused",
    "Outcome",
    "Plan",
    "Publication",
    "PublishError",
    "Resource",
    "Target",
    "api_description",
    "body_problems",
    "bundle",
    "client_from_environment",
    "import_policy",
    "live_differences",
    "profile_lines",
    "publish",
    "write_bundle",
]
