from .catalog_refresh import CatalogChange, CatalogRecord, CatalogSubscription, PieceKind
from .cds import CatalogPublish, CatalogService, PublishReason, PublishStatus
from .messages import OPEN_STATES as INBOUND_OPEN
from .messages import InboundMessage, InboundState
from .orders import TRANSITIONS, InvalidTransition, Order, OrderState
from .outbox import FINAL_STATES, DeliveryAttempt, Outbox, OutboxState
from .outbox import OPEN_STATES as OUTBOX_OPEN
from .registry import (
    SigningKey,
    Subscriber,
    SubscriberStatus,
    SubscriberType,
    Vocabulary,
)
from .select_quotes import SelectQuote
from .workers import WorkerHeartbeat

__all__ = [
    "FINAL_STATES",
    "INBOUND_OPEN",
    "OUTBOX_OPEN",
    "TRANSITIONS",
    "CatalogChange",
    "CatalogPublish",
    "CatalogRecord",
    "CatalogService",
    "CatalogSubscription",
    "DeliveryAttempt",
    "InboundMessage",
    "InboundState",
    "InvalidTransition",
    "Order",
    "OrderState",
    "Outbox",
    "OutboxState",
    "PieceKind",
    "PublishReason",
    "PublishStatus",
    "SelectQuote",
    "SigningKey",
    "Subscriber",
    "SubscriberStatus",
    "SubscriberType",
    "Vocabulary",
    "WorkerHeartbeat",
]
