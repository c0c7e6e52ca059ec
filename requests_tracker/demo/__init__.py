"""The demo world (a feature package): the data from the press reports (data.py), the seeding of
reference data and accounts (seed.py) and the replayed year of demands (history.py)."""
