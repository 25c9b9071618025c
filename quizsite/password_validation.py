"""Password rules beyond Django's own validators, listed in AUTH_PASSWORD_VALIDATORS."""

from django.core.exceptions import ValidationError


class NotOnlyWhitespaceValidator:
    """Django keeps password whitespace as typed (rightly: it may be part of a passphrase), so
    its length check lets eight spaces through. A password needs at least one other character."""

    def validate(self, password: str, user=None) -> None:
        if not password.strip():
            raise ValidationError(
                "Your password cannot be made only of spaces.", code="password_only_whitespace"
            )

    def get_help_text(self) -> str:
        return "Your password cannot be made only of spaces."
