"""The only writers of the assistance ledger: every change writes an `Event` row in its
transaction; every reveal and export writes an `AccessLog` row."""
