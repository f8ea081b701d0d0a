"""Messages for bad input: the one exception type (its message is a single line shown to the
user) and warnings shown the same way."""

import sys


class InputError(ValueError):
    """Bad input data or config. `str(err)` names the file/row/column or config key."""


def one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """`warnings.showwarning` for the commands: `warning: <message>` on stderr, without the
    code location Python adds."""
    print(f"warning: {message}", file=sys.stderr)
