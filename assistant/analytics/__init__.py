"""Ticket history and what is computed from it: policy model, calibration, dashboard, levels diagram.

Each subject is a package whose ``__init__`` names what other code imports (``tickets``,
``policy``, ``calibration``, ``dashboard``, ``levels``). Analytics never reads runs
(no chain, no store), and only :mod:`assistant.analytics.policy.from_model` calls a provider.
"""
