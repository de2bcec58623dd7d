"""Test doubles and kits shared by the tests (never imported by the product)."""
