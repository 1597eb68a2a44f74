"""The order board's saved views, per user."""
