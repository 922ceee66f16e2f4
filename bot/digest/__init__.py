"""Digests: schedule, worker, delivery, and who they go to."""
