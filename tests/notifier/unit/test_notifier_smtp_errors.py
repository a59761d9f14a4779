"""Which SMTP failures are permanent (failed at once) and which are retried."""

from __future__ import annotations

import aiosmtplib
import pytest

from avtal_notifier.adapters.smtp import describe, is_permanent


def _refused(*codes: int) -> aiosmtplib.SMTPRecipientsRefused:
    return aiosmtplib.SMTPRecipientsRefused(
        [aiosmtplib.SMTPRecipientRefused(c, "no", f"r{i}@example.com") for i, c in enumerate(codes)]
    )


@pytest.mark.parametrize(
    ("exc", "permanent"),
    [
        (_refused(550), True),
        (_refused(550, 553), True),
        (_refused(450), False),
        (_refused(550, 451), False),  # one recipient may still get it on a retry
        (aiosmtplib.SMTPDataError(554, "message rejected"), True),
        (aiosmtplib.SMTPSenderRefused(553, "sender refused", "billing@avtal.local"), True),
        (aiosmtplib.SMTPResponseException(421, "service not available"), False),
        (aiosmtplib.SMTPAuthenticationError(535, "bad credentials"), False),  # our configuration
        (aiosmtplib.SMTPConnectError("connection refused"), False),
        (ConnectionRefusedError(), False),
        (TimeoutError(), False),
    ],
)
def test_only_a_5xx_about_the_message_or_its_recipients_is_permanent(exc: Exception, permanent: bool) -> None:
    assert is_permanent(exc) is permanent


def test_the_reason_names_each_refused_recipient_with_the_servers_words() -> None:
    assert describe(_refused(550)) == "r0@example.com: 550 no"
