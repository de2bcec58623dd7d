"""Benchmark harnesses (`sohoa bench …`): workbench that measures the product, never imported by it."""
