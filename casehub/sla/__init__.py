"""SLA: Taiwan's business calendar, policies, deadlines, reminders and escalation; the managers' pages."""
