"""The alerts REST API, one module per noun; alerts/urls.py maps the paths."""
