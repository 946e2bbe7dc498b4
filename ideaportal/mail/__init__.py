"""Email: the outbox (messages written with their events), rendering, and delivery over SMTP or to files."""
