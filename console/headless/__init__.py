"""The headless front end: CLI commands, rich output, live progress lines."""
