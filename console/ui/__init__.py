"""The Textual console. Importing this package imports nothing from textual.

``console.ui.launch.run_console(args, session)`` opens it; the CLI imports that lazily, so
headless commands never pay for textual (a test asserts it stays out of ``sys.modules``).
"""
