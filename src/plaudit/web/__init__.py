"""The web pages: server-rendered Jinja2 pages served by the same process as the API.

Pages call the domain services directly (never the HTTP API), so they share its validation
and errors. `plaudit.web.install.install_web` is the one entry point; only `plaudit.app`
imports this package (an import-linter contract says so).
"""
