"""The console's views: four tab panes, the run detail screen and the modals."""
