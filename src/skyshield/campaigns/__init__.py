"""Campaigns: stocks, deliveries and raid tempo over months (``skyshield campaign``).

Data flows one way: a campaign file (:mod:`.models`, :mod:`.load`) compiles to a plan and a raid
pool (:mod:`.build`, :mod:`.pool`); the loop (:mod:`.simulate`) runs the engine night after
night with the stocks the previous night left; :mod:`.summary` and :mod:`.plots` say what the
replications show; :mod:`.solve` finds the delivery pace that keeps a stock-out unlikely.
"""

from __future__ import annotations

from skyshield.campaigns.load import DEFAULT_CAMPAIGN, builtin_campaign_names, load_campaign
from skyshield.campaigns.models import Campaign

__all__ = ["DEFAULT_CAMPAIGN", "Campaign", "builtin_campaign_names", "load_campaign"]
