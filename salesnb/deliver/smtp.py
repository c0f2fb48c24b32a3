"""The mail server: connect safely, log in without a password on the command line, and say what failed.

Security, in order: ``--ssl`` talks TLS from the first byte (usually port 465). Otherwise the connection
starts plain and is upgraded with STARTTLS whenever the server offers it (usually port 587). A server
that does not offer STARTTLS is used only when it is a relay on this machine (localhost, 127.0.0.1, ::1):
mail and a password never cross a network unencrypted. Certificates are verified against the system's
authorities, or the one given with ``--cafile`` (a company's own authority).

The password of ``--user`` comes from the environment variable ``SALESNB_SMTP_PASSWORD``, else from the
system keyring (the optional ``keyring`` package: ``keyring set salesnb-smtp USER``); never from the
command line, where other users of the machine and the shell history would see it.
"""
from __future__ import annotations

import ipaddress
import os
import signal
import smtplib
import ssl
import threading
from contextlib import contextmanager
from email.message import EmailMessage

from ..errors import DeliveryError

PASSWORD_ENV = "SALESNB_SMTP_PASSWORD"
KEYRING_SERVICE = "salesnb-smtp"
LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
DEFAULT_PORT = {False: 587, True: 465}  # STARTTLS submission, implicit TLS


class Failure(Exception):
    """One message could not be handed to the server. `permanent`: the server refused it for good (5xx)."""

    def __init__(self, text: str, permanent: bool = False, unreachable: bool = False):
        super().__init__(text)
        self.permanent = permanent
        self.unreachable = unreachable  # no connection at all: the next messages would fail the same way


def parse_server(text: str, use_ssl: bool = False) -> tuple[str, int]:
    """'HOST:PORT', '[::1]:25' or 'HOST' (port 587, or 465 with --ssl) -> (host, port)."""
    text = (text or "").strip()
    host, port = text, DEFAULT_PORT[use_ssl]
    if text.startswith("["):
        end = text.find("]")
        host, rest = text[1:end], text[end + 1:]
        if rest.startswith(":"):
            port = _port(rest[1:], text)
    elif text.count(":") == 1:
        host, raw = text.split(":")
        port = _port(raw, text)
    if not host or _bad_host(host):
        raise DeliveryError(f"--smtp {text!r}: give the mail server as HOST:PORT, e.g. smtp.example.com:587 "
                            "(or localhost:25 for a relay on this machine).")
    return host, port


def _bad_host(host: str) -> bool:
    return any(c.isspace() or c in "/@" for c in host)


def _port(raw: str, text: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise DeliveryError(f"--smtp {text!r}: the port must be a number from 1 to 65535, e.g. "
                            "smtp.example.com:587.")
    return int(raw)


def is_local(host: str) -> bool:
    """A relay on this machine: localhost, or a loopback address."""
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def password_for(user: str, host: str) -> str:
    """The password of `user`: $SALESNB_SMTP_PASSWORD, else the system keyring; else a DeliveryError saying how."""
    secret = os.environ.get(PASSWORD_ENV)
    if secret:
        return secret
    try:
        import keyring  # optional: the system keyring (macOS Keychain, Windows Credential Locker, Secret Service)
    except ImportError:
        keyring = None
    if keyring is not None:
        try:
            secret = keyring.get_password(KEYRING_SERVICE, user)
        except Exception:  # no keyring backend on this machine
            secret = None
        if secret:
            return secret
    raise DeliveryError(f"--user {user}: no password for the mail server {host}. Set it in the environment "
                        f"variable {PASSWORD_ENV} (e.g. read -s {PASSWORD_ENV}; export {PASSWORD_ENV}), or store it "
                        f"in the system keyring: pip install keyring; keyring set {KEYRING_SERVICE} {user}. It is "
                        "never taken from the command line.")


class Server:
    """One SMTP connection, opened when first needed and again after it drops."""

    def __init__(self, host: str, port: int, *, use_ssl: bool = False, user: str | None = None,
                 cafile: str | None = None, timeout: float = 30.0):
        self.host, self.port, self.use_ssl, self.user, self.timeout = host, port, use_ssl, user, timeout
        self.cafile = cafile
        self.security = ""  # "TLS", "STARTTLS" or "unencrypted: a relay on this machine", once connected
        self._smtp: smtplib.SMTP | None = None
        if user:
            self._password = password_for(user, host)

    @property
    def name(self) -> str:
        return f"{self.host}:{self.port}"

    def _context(self) -> ssl.SSLContext:
        try:
            return ssl.create_default_context(cafile=self.cafile)
        except (OSError, ssl.SSLError) as exc:
            raise DeliveryError(f"--cafile {self.cafile}: cannot be read as a certificate file ({exc}).") from None

    def connect(self) -> None:
        """Connect, secure and log in; a DeliveryError for what no retry can fix, Failure for what may pass."""
        if self._smtp is not None:
            return
        try:
            if self.use_ssl:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._context())
                self.security = "TLS"
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        except ssl.SSLError as exc:
            raise DeliveryError(self._tls_problem(exc)) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise Failure(f"cannot reach the mail server {self.name}: {_why(exc)}", unreachable=True) from None
        try:
            smtp.ehlo()
            if not self.use_ssl:
                if smtp.has_extn("starttls"):
                    smtp.starttls(context=self._context())
                    smtp.ehlo()
                    self.security = "STARTTLS"
                elif is_local(self.host):
                    self.security = "unencrypted: a relay on this machine"
                else:
                    raise DeliveryError(
                        f"the mail server {self.name} does not offer STARTTLS, and salesnb sends without "
                        "encryption only to a relay on this machine (localhost). Fix: use the port where it "
                        "offers STARTTLS (usually 587), or --ssl if it expects TLS from the start (usually 465), "
                        "or a relay on this machine that forwards the mail securely.")
            if self.user:
                smtp.login(self.user, self._password)
        except DeliveryError:
            _quit(smtp)
            raise
        except smtplib.SMTPAuthenticationError as exc:
            _quit(smtp)
            raise DeliveryError(f"the mail server {self.name} refused the login of --user {self.user} "
                                f"({_why(exc)}). Fix: check the user name and the password in {PASSWORD_ENV} "
                                "or the keyring.") from None
        except smtplib.SMTPNotSupportedError:
            _quit(smtp)
            raise DeliveryError(f"the mail server {self.name} does not accept a login here. Fix: leave --user out "
                                "if it relays without one, or use its submission port (usually 587).") from None
        except ssl.SSLError as exc:
            _quit(smtp)
            raise DeliveryError(self._tls_problem(exc)) from None
        except (OSError, smtplib.SMTPException) as exc:
            _quit(smtp)
            raise Failure(f"the mail server {self.name} broke off the connection: {_why(exc)}") from None
        self._smtp = smtp

    def _tls_problem(self, exc: ssl.SSLError) -> str:
        return (f"the secure connection to {self.name} failed: {getattr(exc, 'verify_message', '') or exc}. Fix: if "
                "your company signs its servers' certificates itself, give its authority's certificate with "
                "--cafile FILE; check that HOST is the name on the server's certificate; with --ssl, check that "
                "the port expects TLS from the start (usually 465).")

    def send(self, msg: EmailMessage, sender: str, recipients: list[str]) -> None:
        """Hand `msg` to the server for `recipients` (the envelope); raises Failure (transient or permanent)."""
        self.connect()
        try:
            refused = self._smtp.send_message(msg, from_addr=sender, to_addrs=recipients)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise Failure("the server refused the address: " + "; ".join(
                f"{addr} ({code} {_text(text)})" for addr, (code, text) in exc.recipients.items()),
                permanent=all(c >= 500 for c in codes)) from None
        except smtplib.SMTPResponseException as exc:  # sender refused, data refused, ...
            self._drop_if_gone(exc)
            raise Failure(f"the server refused the message ({exc.smtp_code} {_text(exc.smtp_error)})",
                          permanent=exc.smtp_code >= 500) from None
        except (OSError, smtplib.SMTPException) as exc:  # disconnected, timed out
            self.close()
            raise Failure(f"the connection to {self.name} failed: {_why(exc)}") from None
        if refused:  # some recipients of several were refused (only one recipient is given at a time)
            addr, (code, text) = next(iter(refused.items()))
            raise Failure(f"the server refused the address {addr} ({code} {_text(text)})", permanent=code >= 500)

    def _drop_if_gone(self, exc: smtplib.SMTPResponseException) -> None:
        if exc.smtp_code in (421, -1):
            self.close()
        else:
            try:
                self._smtp.rset()
            except (OSError, smtplib.SMTPException):
                self.close()

    def close(self) -> None:
        if self._smtp is not None:
            _quit(self._smtp)
            self._smtp = None


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        try:
            smtp.close()
        except OSError:
            pass


def _text(raw) -> str:
    return (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)).strip()


def _why(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError) or "timed out" in str(exc):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the server running, and is the port right?)"
    text = _text(getattr(exc, "smtp_error", "") or exc) or type(exc).__name__
    code = getattr(exc, "smtp_code", None)
    return f"{code} {text}" if code else text


@contextmanager
def held_signals():
    """Ctrl-C and SIGTERM wait until the block ends: one message is sent and recorded whole, or not at all."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    wanted = [s for s in (signal.SIGINT, getattr(signal, "SIGTERM", None)) if s is not None]
    previous = {s: signal.signal(s, lambda signum, frame: caught.append(signum)) for s in wanted}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if caught:
            handler = previous[caught[0]]
            if callable(handler):
                handler(caught[0], None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(caught[0])


__all__ = ["Server", "Failure", "parse_server", "is_local", "password_for", "held_signals", "PASSWORD_ENV",
           "KEYRING_SERVICE"]
