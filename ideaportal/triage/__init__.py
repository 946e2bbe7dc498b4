"""Triage: product managers answer ideas in public, assign them and carry their status to done."""
