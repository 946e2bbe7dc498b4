"""The public roadmap and the ideas in action."""
