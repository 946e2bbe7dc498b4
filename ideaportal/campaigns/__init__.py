"""Storm Sessions: time-boxed questions from the product team, each with its own ideas, votes and results."""
