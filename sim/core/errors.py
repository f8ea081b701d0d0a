"""The one exception type for bad input: its message is a single line shown to the user."""


class InputError(ValueError):
    """Bad input data or config. `str(err)` names the file/row/column or config key."""
