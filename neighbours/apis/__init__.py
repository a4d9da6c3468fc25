"""The referents' REST API, one module per noun; neighbours/urls.py maps the paths."""
