"""An SMS sender through Amazon SNS, as Cognito itself sends (``COGNITO["SMS_SENDER"]``).

boto3 finds credentials and the region the usual way (environment, instance role...);
``AWS_REGION`` unset, the pool's region is used. Any exception is reported to the user as
``CodeDeliveryFailureException`` by django_cognito.services.delivery.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django_cognito.models import UserPool


@cache
def _sns(region: str) -> Any:
    import boto3  # the aws extra; imported on first use so the settings check passes without

    return boto3.client("sns", region_name=region)


def sns_sender(phone_number: str, message: str, *, pool: UserPool, purpose: str) -> None:
    """Publish ``message`` to ``phone_number`` as a transactional SMS."""
    region = os.environ.get("AWS_REGION") or pool.id.split("_", 1)[0]
    _sns(region).publish(
        PhoneNumber=phone_number, Message=message,
        MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String",
                                                   "StringValue": "Transactional"}})
