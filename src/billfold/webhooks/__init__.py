"""Webhooks: a store's endpoints, and every delivery attempt of its events to them."""
