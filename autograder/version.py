"""Grader version: part of the gradebook key (same submission + version -> same score)."""

__version__ = "0.1.0"
