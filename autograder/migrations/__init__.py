"""Alembic migrations of the gradebook schema (``versions/``, applied by
:func:`autograder.gradebook.migrate` whenever a gradebook is opened).

A later schema change keeps old gradebooks: add ``versions/NNNN_what.py`` with
``revision = "NNNN"``, ``down_revision`` = the previous head, and ``upgrade()`` using
``alembic.op`` (and change the tables in :mod:`autograder.gradebook` to match; a test checks
that the migrated schema equals them). The version is kept in the table
``autograder_alembic_version`` (not ``alembic_version``: nbgrader keeps its own there).
"""
