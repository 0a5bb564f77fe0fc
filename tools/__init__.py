"""Developer and user tools for the Esendex SMS integration (not shipped with it)."""
