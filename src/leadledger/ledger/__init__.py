"""The ledger: the append-only, hash-chained event log and the verdicts derived from it."""
