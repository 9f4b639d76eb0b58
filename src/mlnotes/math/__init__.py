"""Math as MathML made at build time (``mathml``): latex2mathml plus our repairs, located
warnings for what cannot be converted, and MathML declared in the EPUB.  Imports core only."""
