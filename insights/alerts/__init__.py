"""Anomaly alerts: rules over the KPIs that raise an ``insights.alert`` event flows can act on."""
