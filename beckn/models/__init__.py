from .messages import InboundMessage, InboundState
from .orders import TRANSITIONS, InvalidTransition, Order, OrderState
from .outbox import FINAL_STATES, DeliveryAttempt, Outbox, OutboxState
from .registry import SigningKey, Subscriber, SubscriberStatus, SubscriberType, Vocabulary

__all__ = [
    "FINAL_STATES",
    "TRANSITIONS",
    "DeliveryAttempt",
    "InboundMessage",
    "InboundState",
    "InvalidTransition",
    "Order",
    "OrderState",
    "Outbox",
    "OutboxState",
    "SigningKey",
    "Subscriber",
    "SubscriberStatus",
    "SubscriberType",
    "Vocabulary",
]
