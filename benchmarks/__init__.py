"""Benchmarks of pacflow's building blocks against what the database alone can do."""
