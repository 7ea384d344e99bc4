"""Distributors' agents on their phones: registration (报备) and their customers (D-11..D-14)."""
