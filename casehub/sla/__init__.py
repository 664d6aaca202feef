"""SLA: Taiwan's business calendar, policies, deadlines, reminders and escalation; the managers' pages.

The blueprint lives in `casehub.sla.views`, not here: the case models import this package's models,
and the pages import the case models, so importing the pages here would be circular.
"""
# The case lifecycle calls this package's services, which use the case models. Loading the
# lifecycle first means either side can be imported first (a worker imports casehub.sla.jobs).
import casehub.cases  # noqa: F401
