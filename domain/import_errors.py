"""The error raised when a whole uploaded file cannot be imported."""


class ImportFileError(ValueError):
    """A whole-file problem (unreadable, unsupported type, no header, missing columns, empty).

    Attributes:
        reason: short Simplified-Chinese message for the admin who uploaded the file.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)
