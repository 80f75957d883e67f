from cbe_app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


def test_validation_failed_keeps_every_field_error_and_reads_as_one_line() -> None:
    error = ValidationFailed({"email": "Enter a valid e-mail address.", "password": "Too short."})
    assert error.field_errors == {
        "email": "Enter a valid e-mail address.",
        "password": "Too short.",
    }
    assert "\n" not in error.text
    assert "email: Enter a valid e-mail address." in error.text
    assert "password: Too short." in error.text


def test_messages_fill_their_parameters() -> None:
    assert NotFound(what="Order").text == "Order was not found."
    assert str(PermissionDenied()) == "You don't have permission to do that."
    assert Conflict().message_id.startswith("This conflicts")
