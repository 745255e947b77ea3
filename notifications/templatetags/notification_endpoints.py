"""`{% endpoint_forms %}`: the SMS and webhook part of the preferences page, self-contained."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from notifications.models import Endpoint

register = template.Library()


@register.inclusion_tag("notifications/_endpoints.html", takes_context=True)
def endpoint_forms(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    own = (list(Endpoint.objects.filter(user=user, kind__in=[Endpoint.Kind.SMS, Endpoint.Kind.WEBHOOK])
                .order_by("kind", "id")) if user is not None and user.is_authenticated else [])
    return {"own_endpoints": own, "sms_available": bool(getattr(settings, "SMS_GATEWAY_URL", "")),
            "csrf_token": context.get("csrf_token"), "request": request}
