"""Notifications: an outbox fed by the event log, delivered by e-mail and webhooks."""
