class AltavozError(Exception):
    """Base of every error Altavoz raises on purpose; its message is translated and actionable."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)
