"""Ticket history and what is computed from it: policy model, calibration, dashboard, levels diagram."""
