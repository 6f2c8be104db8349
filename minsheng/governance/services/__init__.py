"""Governance services: the only writers of governance data, one module per part."""
