"""The low-level library every app may use (healthchecks' `hc/lib/`): set-based inserts from
plain tuples (`bulk.py`), queries compiled once per process (`compiled.py`), per-process
snapshots of rarely changed tables (`snapshot.py`), the capped paginator (`pagination.py`),
keys for machines (`keys.py`), Excel rows that are never formulas (`xlsx.py`).

It imports no app of Minsheng: the import-linter contract (pyproject.toml) keeps it so.
"""
