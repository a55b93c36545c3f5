"""The practice app's logic as plain functions: no Textual imports, so it is tested directly."""
