"""The command's exit codes, one set for serve and doctor (listed in ``--help``)."""

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, EXIT_CANNOT_LISTEN = 0, 1, 2, 3
