"""The panes of the console's tabs: widgets, one per tab."""
