"""Measured speed-ups that reach into a library's private internals, one module each, every private name
they rely on pinned by tests/backend/core/test_fastpaths.py so that an upgrade fails loudly."""
