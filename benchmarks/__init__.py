"""Benchmarks of Vigie (run as scripts: `.venv/bin/python benchmarks/<name>.py --help`)."""
