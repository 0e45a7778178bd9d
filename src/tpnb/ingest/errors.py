"""Errors a user's file can cause."""


class RejectedFile(Exception):
    """The file cannot be loaded at all; nothing of it was loaded.

    The message names the file and what is wrong.
    """
