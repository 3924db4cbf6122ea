"""The REST API (FastAPI): a thin shell over `billfold.app`."""
