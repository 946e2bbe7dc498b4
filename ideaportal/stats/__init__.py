"""Public statistics: how many ideas, votes and answers, in plain language."""
