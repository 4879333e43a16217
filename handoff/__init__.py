"""Escalation to a human counselor, the thread store, the counselor dashboard and privacy."""
