"""Three small documents that agree, shared by the consistency tests of the engine, the CLI and the app."""

PLAYBOOK = """# Acme Escalation Playbook

## 1) Escalation Levels & Definitions

| Level | Name | Criteria |
|---|---|---|
| L1 | Support Lead / Specialist | repeat contact |
| L2 | Cross-functional | billing dispute > $5K |
| L3 | Incident Command | P1 outage |
| L4 | Executive Escalation | churn threat and ARR > $50K |

## 3) Ownership Model (RACI)

The Escalation Owner keeps the customer informed; the Incident Commander runs Level 3; the Comms Lead writes updates.

## 5) Customer Communication Standards

| Level | Time to acknowledge | Update cadence |
|---|---|---|
| Level 2 | 30 min | every 2 hours |
| Level 3 | 15 min | every 30 minutes |
| Level 4 | 15 min | every 60 minutes |

- P1: acknowledge within 15 min for Enterprise, 30 min for Pro.
"""

RUNBOOK_OK = """# Incident Commander runbook

## First 15 minutes
- [ ] T+0: open the war room; T+45 min (P1): send the first interim update.
- [ ] Level 3: acknowledge the customer within 15 minutes.

## Steady state
- Keep the cadence: **Level 3 every 30 minutes**, **Level 2 every 2 hours**.
- P1 acknowledgement target: 30 min.
- Work with the Comms Lead on every update.
"""

TRAINING_OK = """# Training and QA

## Calibration examples

**Example A (L3)** — ack at 11 min; one update was 25 minutes late.

### Level 3 — Incident Command

Acknowledge within 15 min and update every 30 min until resolved. The Escalation Owner owns the customer.
"""
