"""Panels of the pages that outgrow a page script: the Chain page's step cards and job follower.

A page imports what it draws from here; the modules inside import each other directly.
"""

from __future__ import annotations

from ui.panels.chain_card import CardSlots, step_card
from ui.panels.chain_follow import follow_job
from ui.panels.chain_view import ChainView, request_run, stop

__all__ = ["CardSlots", "ChainView", "follow_job", "request_run", "step_card", "stop"]
