"""The task monitor: every scheduled job and sync, with its runs, durations, failures and volume."""
