"""YouTube Live: Google sign-in, API client (quota ledger, error mapping), streams, broadcasts,
go-live/end helpers and chapters write-back. googleapiclient is imported lazily, only here."""
