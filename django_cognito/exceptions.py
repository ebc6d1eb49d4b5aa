"""One exception tree named after Cognito's ``__type`` values (reference §1.6)."""

from __future__ import annotations


class CognitoError(Exception):
    """Base of every error a Cognito operation can return; ``code`` is the ``__type``."""

    code = "InternalErrorException"
    status = 400
    default_message = "An error occurred."

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.code = cls.__name__

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)

    def as_dict(self) -> dict[str, str]:
        """The JSON body Cognito sends for this error."""
        return {"__type": self.code, "message": self.message}


class InternalErrorException(CognitoError):
    default_message = "Internal error."
    status = 500


class NotAuthorizedException(CognitoError):
    default_message = "Incorrect username or password."


class UserNotFoundException(CognitoError):
    default_message = "User does not exist."


class UsernameExistsException(CognitoError):
    default_message = "User already exists"


class UserNotConfirmedException(CognitoError):
    default_message = "User is not confirmed."


class PasswordResetRequiredException(CognitoError):
    default_message = "Password reset required for the user"


class InvalidParameterException(CognitoError):
    """Cognito error of this name."""


class InvalidPasswordException(CognitoError):
    """Cognito error of this name."""


class PasswordHistoryPolicyViolationException(CognitoError):
    default_message = (
        "The password you entered has previously been used. Please choose a different password.")


class CodeMismatchException(CognitoError):
    default_message = "Invalid verification code provided, please try again."


class ExpiredCodeException(CognitoError):
    default_message = "Invalid code provided, please request a code again."


class AliasExistsException(CognitoError):
    default_message = "An account with the email already exists."


class LimitExceededException(CognitoError):
    default_message = "Attempt limit exceeded, please try after some time."


class TooManyRequestsException(CognitoError):
    default_message = "Too many requests."


class TooManyFailedAttemptsException(CognitoError):
    default_message = "Too many failed attempts."


class ResourceNotFoundException(CognitoError):
    """Cognito error of this name."""


class GroupExistsException(CognitoError):
    default_message = "A group with the name already exists."


class UnsupportedUserStateException(CognitoError):
    """Cognito error of this name."""


class PreconditionNotMetException(CognitoError):
    """Cognito error of this name."""


class UserLambdaValidationException(CognitoError):
    """Cognito error of this name."""


class InvalidLambdaResponseException(CognitoError):
    default_message = "Invalid lambda response."


class UnexpectedLambdaException(CognitoError):
    """Cognito error of this name."""


class CodeDeliveryFailureException(CognitoError):
    default_message = "Unable to deliver the code."


class InvalidEmailRoleAccessPolicyException(CognitoError):
    """Cognito error of this name."""


class InvalidSmsRoleAccessPolicyException(CognitoError):
    """Cognito error of this name."""


class UserPoolTaggingException(CognitoError):
    """Cognito error of this name."""


class InvalidOAuthFlowException(CognitoError):
    """Cognito error of this name."""


class ScopeDoesNotExistException(CognitoError):
    """Cognito error of this name."""


class ConcurrentModificationException(CognitoError):
    """Cognito error of this name."""



class UnauthorizedException(CognitoError):
    """Cognito error of this name."""


class UnsupportedOperationException(CognitoError):
    """Cognito error of this name."""


class UnsupportedTokenTypeException(CognitoError):
    """Cognito error of this name."""


class RefreshTokenReuseException(CognitoError):
    """Cognito error of this name."""


class TriggerRejected(Exception):  # noqa: N818 - the name says what a receiver does
    """Raised by a trigger receiver to deny the operation, like a Lambda that throws."""


class SoftwareTokenMFANotFoundException(CognitoError):
    default_message = "Software Token MFA has not been enabled by the userPool."


class EnableSoftwareTokenMFAException(CognitoError):
    default_message = "Code mismatch and fail enable Software Token MFA"


class MFAMethodNotFoundException(CognitoError):
    default_message = "No MFA mechanism registered in the account."


class DuplicateProviderException(CognitoError):
    """Cognito error of this name."""


class ResourceConflictException(CognitoError):
    """cognito-identity: a login is linked to another identity in a conflicting way."""


class InvalidIdentityPoolConfigurationException(CognitoError):
    """cognito-identity: no role for the identity, or STS refused the role."""

    default_message = "Invalid identity pool configuration. Check assigned IAM roles for this pool."


class ExternalServiceException(CognitoError):
    """cognito-identity: a service the answer depends on (a provider, STS) did not answer."""


class DeveloperUserAlreadyRegisteredException(CognitoError):
    """cognito-identity: the developer user is linked to another identity."""
