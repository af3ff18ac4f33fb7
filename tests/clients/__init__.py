"""Ports of published PyTorch programs, run on minidl with `import minidl as torch` (tests/test_clients.py)."""
