"""Shipped scenario folders and the seeded generator that made them."""
