"""Build script. Package metadata lives in pyproject.toml; this file exists for the C kernels' cffi build."""

from setuptools import setup

setup()
