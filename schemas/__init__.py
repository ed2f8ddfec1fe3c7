"""The rules of a customer row: Pandera model, custom checks, header synonyms."""
