"""SLA: Taiwan's business calendar, policies, deadlines, reminders and escalation; the managers' pages.

The blueprint lives in `casehub.sla.views`, not here: the case models import this package's models,
and the pages import the case models, so importing the pages here would be circular.
"""
