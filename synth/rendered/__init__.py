"""synth.rendered: an independent test set made by real renderers (Chromium, LibreOffice), for MEASURING only.

It shares no code path, font, text source, layout or degradation with the rest of synth/; see README.md.
"""
from synth.rendered.generate import CLASSES, DEFAULT_N, generate
from synth.rendered.model import FieldTruth, Item, Line, Word, load

__all__ = ["CLASSES", "DEFAULT_N", "FieldTruth", "Item", "Line", "Word", "generate", "load"]
