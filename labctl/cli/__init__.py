"""labctl's command line: one module per verb over labctl.core."""
