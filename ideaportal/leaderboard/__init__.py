"""The public leaderboard (top, rising, contributors) and member profiles with points and badges."""
