"""Read models over the order centre: KPIs and their rollups, anomaly alerts, the task monitor,
saved board views, and the live push to browsers. Insights only reads the domain; nothing that
writes imports it (DESIGN.md, "Who may import whom")."""
