"""Order timeouts: rules such as "paid but not processed in 2 hours", checked on a schedule, each
breach announced once as ``order.timeout`` for flows to act on."""
