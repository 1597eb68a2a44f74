"""The health KPIs: their definitions, thresholds and the rollup tables they read."""
