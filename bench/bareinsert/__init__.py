"""A bench-only table and view: the cheapest write a Django view can do, as the ingest baseline."""
