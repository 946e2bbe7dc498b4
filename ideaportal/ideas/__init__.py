"""Ideas: submit, edit, browse, vote."""
