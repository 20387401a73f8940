"""One exception hierarchy for the whole engine.

Every message says what happened *and* what to do next, because the CLI and the
UI show it to people verbatim. Errors are split by who has to act:
``UserInputError`` (the caller gave us something wrong), ``ProviderError``
(the model service misbehaved) and ``StoreError`` (history database trouble).
"""

from __future__ import annotations


class PlaybookError(Exception):
    """Base class: anything the engine raises on purpose."""

    #: CLI exit code for this family of errors.
    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# --- the caller's mistake ---------------------------------------------------


class UserInputError(PlaybookError):
    """Bad usage or bad input: wrong variables, unknown pack, unreadable file."""

    exit_code = 2


class UnknownPackError(UserInputError):
    """A pack or step name that does not exist; the message lists the valid ones."""


class ManifestError(UserInputError):
    """A prompt pack on disk is malformed; the message names the file and field."""


class TemplateRenderError(UserInputError):
    """A template failed to render (syntax error, unknown name, sandbox violation)."""


class VariablesError(UserInputError):
    """Variables are missing, too long, or of the wrong shape."""

    def __init__(self, message: str, problems: dict[str, str] | None = None) -> None:
        super().__init__(message)
        #: variable name -> what is wrong with it (used for inline form errors)
        self.problems: dict[str, str] = problems or {}


class ConfigurationError(UserInputError):
    """Settings that cannot work together, e.g. a hosted provider without a key."""


# --- the provider's trouble ---------------------------------------------------


class ProviderError(PlaybookError):
    """A model call failed. ``retryable`` tells the chain whether backoff may help."""

    retryable: bool = False

    def __init__(self, message: str, *, status: int | None = None, partial_text: str = "") -> None:
        super().__init__(message)
        self.status = status
        #: text received before the failure; never thrown away
        self.partial_text = partial_text


class AuthError(ProviderError):
    """401/403: the key is missing, wrong or lacks access. Never retried."""


class BadRequestError(ProviderError):
    """400/404/422: the request itself is wrong (unknown model, prompt too long). Never retried."""


class RateLimitError(ProviderError):
    """429: slow down. ``retry_after`` is the server's hint in seconds, when it gave one."""

    retryable = True

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = 429,
        partial_text: str = "",
    ) -> None:
        super().__init__(message, status=status, partial_text=partial_text)
        self.retry_after = retry_after


class ProviderTimeoutError(ProviderError):
    """The provider did not answer in time."""

    retryable = True


class ProviderUnavailableError(ProviderError):
    """5xx, 529 overloaded, connection refused: the service is down for now."""

    retryable = True


class IncompleteAnswerError(ProviderError):
    """The stream ended without a proper finish: cut mid-answer, empty, or malformed.

    ``finish_reason='length'`` is not this error: the adapter returns the text with
    that finish reason and the runner marks the step truncated, because retrying
    the same request would hit the same limit.
    """

    retryable = True


class CancelledError(PlaybookError):
    """The user pressed Stop; the text received so far is kept."""

    def __init__(self, message: str = "Stopped by the user; the text received so far is kept.", *, partial_text: str = "") -> None:
        super().__init__(message)
        self.partial_text = partial_text


# --- storage -------------------------------------------------------------------


class StoreError(PlaybookError):
    """The run history database could not be read or written."""


class RunBusyError(PlaybookError):
    """Another runner holds the run's lease: resuming it now would call the provider twice."""


class RunNotFoundError(StoreError, UserInputError):
    """A run id that is not in the history."""

    exit_code = 2
