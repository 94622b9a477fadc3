"""Muster's web portal: Litestar, server-rendered Jinja2 templates and htmx."""
