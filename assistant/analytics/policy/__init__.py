"""The playbook's escalation triggers as data: a pydantic model, YAML, a table, and structured output.

Prose triggers ("billing dispute >$5K") cannot be counted against ticket history; an
:class:`EscalationPolicy` can (:mod:`.model`). Per level (1–4) it holds triggers — each a set of
conditions on the ticket fields of :mod:`assistant.analytics.tickets`, combined with
``all``/``any`` — and the level's response targets. It comes from three places, all producing
the same model:

- :func:`policy_from_variables`: derived deterministically from the organisation profile
  (the offline path; no model needed; :mod:`.derive`);
- a real model asked for JSON that fits :func:`policy_json_schema` (:func:`policy_request` +
  :func:`parse_policy_answer`; :mod:`.from_model`, the only module that calls a provider);
- a person editing it as YAML (:func:`load_policy_yaml`, :mod:`.yaml_io`) or as a table
  (:func:`policy_from_rows`, :mod:`.table`).

Each level also names its severity, the team that owns it and the roles it engages, and the policy
its war room and naming conventions (:mod:`.conventions`): the single source the ticketing and
paging configuration is published from. Other tools read it as a versioned document that names
its JSON Schema (:func:`policy_document`, :func:`policy_schema`; :mod:`.document`).

Pure data work: no DuckDB here (the SQL lives in :mod:`assistant.analytics.calibration`).
"""

from assistant.analytics.policy.derive import policy_from_variables, starting_level
from assistant.analytics.policy.diff import PolicyChange, policy_changes
from assistant.analytics.policy.document import (
    SCHEMA_ID,
    SCHEMA_VERSION,
    dump_policy_document,
    policy_document,
    policy_schema,
    read_policy_document,
)
from assistant.analytics.policy.errors import PolicyError
from assistant.analytics.policy.from_model import obtain_policy, parse_policy_answer, policy_json_schema, policy_request
from assistant.analytics.policy.model import (
    DEFAULT_SEVERITY,
    Condition,
    EscalationPolicy,
    LevelPolicy,
    Naming,
    ResponseTargets,
    Role,
    Severity,
    Trigger,
    WarRoom,
    format_number,
)
from assistant.analytics.policy.table import policy_from_rows, policy_to_rows
from assistant.analytics.policy.yaml_io import dump_policy_yaml, load_policy_yaml, parse_policy_yaml

__all__ = [
    "DEFAULT_SEVERITY",
    "SCHEMA_ID",
    "SCHEMA_VERSION",
    "Condition",
    "EscalationPolicy",
    "LevelPolicy",
    "Naming",
    "PolicyChange",
    "PolicyError",
    "ResponseTargets",
    "Role",
    "Severity",
    "Trigger",
    "WarRoom",
    "dump_policy_document",
    "dump_policy_yaml",
    "format_number",
    "load_policy_yaml",
    "obtain_policy",
    "parse_policy_answer",
    "parse_policy_yaml",
    "policy_from_rows",
    "policy_changes",
    "policy_document",
    "policy_from_variables",
    "policy_json_schema",
    "policy_schema",
    "policy_request",
    "policy_to_rows",
    "read_policy_document",
    "starting_level",
]
