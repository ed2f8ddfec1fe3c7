"""The rules of a customer row: the field registry, the codes, the rules by topic, the
Pandera schema and its checks. Nothing here imports from `pipeline/`."""
