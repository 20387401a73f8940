"""Do the playbook, the runbooks and the training pack say the same thing?

Each document is drafted by its own request, so a Level 3 update cadence of 30 minutes in the
playbook can become 60 in a runbook. This package reads what each document states — response
targets (acknowledge / update cadence / resolve, in minutes, per level or severity), level names
and role names — and lists where they disagree, with the document, line and text of both sides.

Pure text work, like the validator: no providers, no store. Rules that keep it quiet when the
documents agree:

- a target stated several times (e.g. per customer segment) conflicts only when another document's
  value overlaps none of them; ranges ("every 30–60 min") are intervals;
- level names are taken only from headings, bold labels and level tables, where a name is a name
  (not "Level 3: P1 outage affecting ...", which is a criterion);
- a role conflicts when another document names it differently from the playbook ("Incident Manager"
  for "Incident Commander"); abbreviations such as Comms/Communications count as the same name.
"""
