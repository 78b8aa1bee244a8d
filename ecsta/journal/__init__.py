"""The call journal: every call record the PBX sends, stored once and durably, then searchable.

:mod:`ecsta.journal.record` turns a cDRReport into normalised records, each with a stable key
(sans-IO); :mod:`ecsta.journal.store` writes them through ``twisted.enterprise.adbapi`` into
SQLite or PostgreSQL, in batches; :mod:`ecsta.journal.service` is what a service holding the
PBX link runs: the store, the retention sweep, the counters and the failure state;
:mod:`ecsta.journal.http` serves searches as JSON and CSV; :mod:`ecsta.journal.queries` and
:mod:`ecsta.journal.schema` hold the SQL, shared with ``ecsta journal export``.
"""
