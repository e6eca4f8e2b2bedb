"""Rendering the playbook to Markdown pages and the MkDocs plugin that serves them."""
