"""Composition root: the one place that knows the core, storage and every adapter."""
