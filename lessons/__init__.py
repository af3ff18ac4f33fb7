"""The minidl course: lessons NN_slug.py that accompany the textbook, and their runner.

Run `python -m lessons list` to see them and `python -m lessons run all` to run them.
"""
