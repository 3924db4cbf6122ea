"""Background work: hold timeouts and lot expiry sweeps."""
