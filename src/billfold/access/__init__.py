"""Who may look: dashboard users and their sessions, the audit log of what they did,
and the shopper's portal sessions."""
