"""Text direction controls in user-written text.

A name is written by its owner, who may put in it a right-to-left override (U+202E) or
another embedding, override or isolate control: shown as is, it turns the rest of the line
around ("abc\u202edef · 10:00" reads "abc00:01 · fed"). Pages isolate names in `<bdi>`
(the `bdi` filter of core/templatetags/bidi.py); plain-text emails cannot, so the
controls are removed from them (core.emails)."""

import re

# Embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI, PDI).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def strip_bidi(text: str) -> str:
    return BIDI_CONTROLS.sub("", text)
