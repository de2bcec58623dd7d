"""sohoa: scans of Vietnamese civil records to clean, verified data.

Data flows one way: hotfolders (intake) -> scanner -> ocr -> extract -> store -> review -> export.
This package holds only what every stage shares: the command line and the locations of data files.
"""

__version__ = "0.1.0"
