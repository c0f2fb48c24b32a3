"""Words, one module per audience: `manager` (the team explorer, the command line, the JSON document)
and `rep` (a rep's own report, in the second person). Both word facts; neither computes them."""
