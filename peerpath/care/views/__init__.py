"""Supporter care pages, one module per area. Views are thin: access, form, service, redirect."""
