"""The SQLite state store: the only place that writes meetstream's state.

One file (WAL journal, mode 0600), schema evolved by named migrations that run once each, in
order, inside a transaction. Times are stored as UTC ISO strings ending in "Z" (meetstream.core.timefmt).
"""

from meetstream.store.records import DeltaState, OnAirRecord
from meetstream.store.repository import Store
from meetstream.store.schema import MIGRATIONS

__all__ = ["DeltaState", "MIGRATIONS", "OnAirRecord", "Store"]
