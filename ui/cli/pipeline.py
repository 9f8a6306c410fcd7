"""Commands of the ingest pipeline: demo-db, extract, counts, samples, merge, summary."""
