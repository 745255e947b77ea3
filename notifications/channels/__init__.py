"""Delivery channels. Built in here: e-mail, Web Push and the in-site inbox; SMS and webhooks register
themselves from their own modules with `register_channel` (notifications.channels.base)."""

from __future__ import annotations

from notifications.channels.base import Channel, DeliveryFailed, OutgoingMessage, get_channel, register_channel

__all__ = [
    "Channel",
    "DeliveryFailed",
    "OutgoingMessage",
    "get_channel",
    "register_builtin_channels",
    "register_channel",
]


def register_builtin_channels() -> None:
    from notifications.channels.email import EmailChannel
    from notifications.channels.inbox import InboxChannel
    from notifications.channels.push import PushChannel
    from notifications.channels.sms import SmsChannel
    from notifications.channels.webhook import WebhookChannel

    for channel in (EmailChannel(), PushChannel(), InboxChannel(), SmsChannel(), WebhookChannel()):
        register_channel(channel)
