"""Following ideas: members follow public ideas to hear when they move."""
