"""Gather stage: fetch feeds and pages, extract and clean articles."""
