"""Pages built from facts and words: documents for programs (the `diagnose --json` document), beside the
terminal's text, the report notebook and the team explorer. Facts never import these."""
