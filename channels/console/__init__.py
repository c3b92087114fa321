"""The hotline operator's console (``vaxbot console``), a Textual app."""
