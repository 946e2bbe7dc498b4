"""Merging duplicate ideas into their original, losslessly, and undoing it (staff only)."""
