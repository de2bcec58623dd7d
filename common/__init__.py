"""The bottom layer: what every other folder shares (Unicode rules, data locations, file helpers, errors,
states, configuration, the document-type registry). It imports no other sohoa folder."""
