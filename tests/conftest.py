"""Shared test set-up: one Tesseract thread per process (xdist runs two workers on two cores)."""
import os

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
