class Conflict(Exception):
    """The request is valid but clashes with the current state (taken, closed, already
    done): pages show the message, the API answers 409."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message
