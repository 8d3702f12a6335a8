"""The mailbox: a real SMTP server, spoken to with smtplib over STARTTLS with AUTH."""

import smtplib
import ssl
from email.message import EmailMessage

import httpx
import pytest

from devstack.mailbox import Mailbox
from tests.integration.servers import BackgroundServer
from tests.integration.standins.conftest import SMTP_PASSWORD, SMTP_USER

OFFICER = "truc.ban@congan.dienbien.gov.vn"


def alert_email(to: str = OFFICER) -> EmailMessage:
    email = EmailMessage()
    email["From"] = "Safeguard <alerts@safeguard.local>"
    email["To"] = f"Cán bộ trực ban <{to}>"
    email["Subject"] = "Cảnh báo A-7: cần xác nhận"
    email["Message-ID"] = "<a-7@safeguard>"
    email.set_content("Xác nhận: https://safeguard.local/ack/a-7?t=Zx9\n")
    email.add_alternative(
        '<p><a href="https://safeguard.local/ack/a-7?t=Zx9&amp;via=email">Xác nhận</a></p>',
        subtype="html",
    )
    return email


def send(mailbox: Mailbox, email: EmailMessage, password: str = SMTP_PASSWORD) -> None:
    context = ssl.create_default_context(cafile=mailbox.cert_path)
    with smtplib.SMTP(mailbox.host, mailbox.port, timeout=5) as smtp:
        smtp.starttls(context=context)  # verifies the certificate and the host name
        smtp.login(SMTP_USER, password)
        smtp.send_message(email)


def test_a_message_sent_over_starttls_with_auth_is_kept_and_parsed(mailbox: Mailbox) -> None:
    send(mailbox, alert_email())

    [received] = mailbox.wait_for(to=OFFICER)

    assert received.envelope_from == "alerts@safeguard.local"
    assert received.envelope_to == (OFFICER,)
    assert received.to == (OFFICER,)
    assert received.subject == "Cảnh báo A-7: cần xác nhận"
    assert received.message_id == "<a-7@safeguard>"
    assert received.text == "Xác nhận: https://safeguard.local/ack/a-7?t=Zx9\n"
    assert received.html is not None
    assert "<a href=" in received.html
    assert received.links == [
        "https://safeguard.local/ack/a-7?t=Zx9",
        "https://safeguard.local/ack/a-7?t=Zx9&via=email",
    ]


def test_a_wrong_password_is_refused(mailbox: Mailbox) -> None:
    with pytest.raises(smtplib.SMTPAuthenticationError):
        send(mailbox, alert_email(), password="wrong")
    assert mailbox.messages() == []


def test_mail_without_starttls_is_refused_and_auth_is_not_offered(mailbox: Mailbox) -> None:
    with smtplib.SMTP(mailbox.host, mailbox.port, timeout=5) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("starttls")
        assert not smtp.has_extn("auth")
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            smtp.send_message(alert_email())
    assert refused.value.smtp_code == 530
    assert mailbox.messages() == []


def test_waiting_for_mail_that_never_comes_times_out(mailbox: Mailbox) -> None:
    with pytest.raises(TimeoutError):
        mailbox.wait_for(to=OFFICER, timeout=0.05)


def test_the_http_view_lists_filters_and_clears(mailbox: Mailbox) -> None:
    send(mailbox, alert_email())
    send(mailbox, alert_email(to="shelter@thanhyen.local"))
    mailbox.wait_for(count=2)

    with BackgroundServer(mailbox.http_app()) as server, httpx.Client(base_url=server.url) as web:
        [listed] = web.get("/messages", params={"to": OFFICER}).json()
        links = web.get("/links", params={"to": OFFICER}).json()
        cleared = web.delete("/messages")
        after = web.get("/messages").json()

    assert listed["subject"] == "Cảnh báo A-7: cần xác nhận"
    assert listed["to"] == [OFFICER]
    assert links == [
        "https://safeguard.local/ack/a-7?t=Zx9",
        "https://safeguard.local/ack/a-7?t=Zx9&via=email",
    ]
    assert cleared.status_code == 204
    assert after == []


def test_a_plain_mailbox_takes_mail_without_tls_or_auth() -> None:
    with Mailbox(tls=False) as box, smtplib.SMTP(box.host, box.port, timeout=5) as smtp:
        smtp.send_message(alert_email())
        [received] = box.wait_for()
    assert received.subject == "Cảnh báo A-7: cần xác nhận"
    with pytest.raises(RuntimeError):
        _ = box.cert_path


def test_without_tls_auth_is_offered_and_checked() -> None:
    with Mailbox(username=SMTP_USER, password=SMTP_PASSWORD, tls=False) as box:
        with smtplib.SMTP(box.host, box.port, timeout=5) as smtp:
            with pytest.raises(smtplib.SMTPAuthenticationError):
                smtp.login(SMTP_USER, "wrong")
            smtp.login(SMTP_USER, SMTP_PASSWORD)
            smtp.send_message(alert_email())
        assert len(box.wait_for()) == 1
