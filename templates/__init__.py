"""Packaged default templates (the top-level templates/ folder, installed as mailflow._templates)."""
