"""Live updates: each web process follows the outbox and pushes to its own WebSocket clients."""
