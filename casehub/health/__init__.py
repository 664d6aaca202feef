"""Health: probes, heartbeats of the background processes, Prometheus metrics and the staff banner.

Two layers in one feature: `models` and `heartbeats` sit at the bottom (the scheduler and the SLA jobs record
beats), while `status`, `metrics` and `views` read cases and the outbox, at the top beside reports and admin.
"""
