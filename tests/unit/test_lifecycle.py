import pytest

from kasify_orders import InvalidTransition
from kasify_orders.lifecycle import ACTIONS, Action, PaymentStatus, Status, allowed_actions, require

EXPECTED = {
    Action.CONFIRM_PAYMENT: {Status.PENDING},
    Action.MARK_SHIPPED: {Status.PROCESSING},
    Action.UPDATE_TRACKING: {Status.SHIPPED, Status.DELIVERED},
    Action.MARK_DELIVERED: {Status.SHIPPED},
    Action.CANCEL: {Status.PENDING, Status.PROCESSING, Status.ON_HOLD},
    Action.REFUND: {
        Status.PROCESSING,
        Status.ON_HOLD,
        Status.SHIPPED,
        Status.DELIVERED,
        Status.CANCELLED,
        Status.REFUNDED,
    },
    Action.ADD_NOTE: set(Status),
    Action.HOLD: {Status.PROCESSING},
    Action.RELEASE: {Status.ON_HOLD},
    # Talking to the customer, whatever the status.
    Action.EMAIL_CUSTOMER: set(Status),
    Action.RESEND_NOTIFICATION: set(Status),
    Action.RETRY_EMAIL: set(Status),
}
RETURNS = [Action.OPEN_RETURN, Action.RECEIVE_RETURN, Action.REFUND_RETURN, Action.CLOSE_RETURN]
for _action in RETURNS:  # returns: wherever an order may have shipped units
    EXPECTED[_action] = {Status.PROCESSING, Status.ON_HOLD, Status.SHIPPED, Status.DELIVERED, Status.REFUNDED}
TALK = [Action.EMAIL_CUSTOMER, Action.RESEND_NOTIFICATION, Action.RETRY_EMAIL]


def test_the_transition_table_is_the_documented_one() -> None:
    assert {action: set(statuses) for action, statuses in ACTIONS.items()} == EXPECTED


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("status", list(Status))
def test_every_action_is_allowed_exactly_from_its_statuses(action: Action, status: Status) -> None:
    if status in EXPECTED[action]:
        require(action, status, PaymentStatus.PAID)
    else:
        with pytest.raises(InvalidTransition) as caught:
            require(action, status, PaymentStatus.PAID)
        message = str(caught.value)
        assert f"an order that is {status.value}" in message
        assert all(allowed.value in message for allowed in EXPECTED[action])


def test_refund_needs_a_confirmed_payment() -> None:
    with pytest.raises(InvalidTransition, match="payment was never confirmed"):
        require(Action.REFUND, Status.CANCELLED, PaymentStatus.PENDING)
    require(Action.REFUND, Status.CANCELLED, PaymentStatus.PAID)


def test_allowed_actions_lists_what_the_merchant_can_do_next() -> None:
    assert allowed_actions(Status.PENDING, PaymentStatus.PENDING) == [
        Action.CONFIRM_PAYMENT,
        Action.CANCEL,
        Action.ADD_NOTE,
        *TALK,
    ]
    assert allowed_actions(Status.SHIPPED, PaymentStatus.PARTIALLY_REFUNDED) == [
        Action.UPDATE_TRACKING,
        Action.MARK_DELIVERED,
        Action.REFUND,
        Action.ADD_NOTE,
        *TALK,
        *RETURNS,
    ]


def test_labels_are_what_a_merchant_reads() -> None:
    assert PaymentStatus.PARTIALLY_REFUNDED.label == "Partially refunded"
    assert Status.PROCESSING.label == "Processing"
    assert Status.ON_HOLD.label == "On hold"


def test_a_held_order_may_be_released_cancelled_or_refunded_but_not_shipped() -> None:
    assert allowed_actions(Status.ON_HOLD, PaymentStatus.PAID) == [
        Action.CANCEL,
        Action.REFUND,
        Action.ADD_NOTE,
        Action.RELEASE,
        *TALK,
        *RETURNS,
    ]
    with pytest.raises(InvalidTransition, match="cannot mark shipped an order that is on_hold") as caught:
        require(Action.MARK_SHIPPED, Status.ON_HOLD, PaymentStatus.PAID)
    assert caught.value.allowed == ("processing",)
