"""An optional read replica of the primary database for the public read pages (REPLICA_DATABASE_URI).

session.py chooses the engine per statement; routing.py decides per request whether the replica may answer,
sends who just wrote to the primary, and falls back to the primary when the replica is unreachable.
"""
