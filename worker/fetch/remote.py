"""Remote folders over FTP, FTPS (ftplib) and SFTP (paramiko), behind one small interface.

`connect(protocol, url, password, key_file, ...)` returns a `Remote` that lists the files of the
URL's folder, reads one, moves one into a sub-folder (never overwriting: a name taken there gets
a numbered suffix, as in `worker.fetch.folder`) and deletes one. `worker.fetch.ftp` decides
which and when.

- FTP lists with MLSD (size and modification time in one answer); a server without it (vsftpd)
  is listed with NLST, SIZE and MDTM. Files are read in binary mode. FTPS is explicit TLS (AUTH TLS, then `PROT P` for data),
  verified against the system's CAs (`SSL_CERT_FILE` adds others); each data connection
  resumes the control connection's TLS session (`_FTPS`), as vsftpd, ProFTPD and FileZilla
  Server require.
- SFTP checks the server's host key: against `~/.ssh/known_hosts` when it lists the host, else
  against the key this feed saw first (trust on first use, kept in the feed's position). A
  changed key refuses the connection. `key_file` logs in with a private key (`password` is then
  its passphrase), else `password`.

Errors are RemoteError with a message naming the operation and the file, never the URL.
"""

from __future__ import annotations

import ftplib
import io
import os
import socket
import ssl
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import unquote, urlsplit

import paramiko

CONNECT_TIMEOUT = 10.0
TIMEOUT = 30.0


class RemoteError(Exception):
    """An FTP/SFTP operation failed; the message names it (never the URL or a secret)."""


class RemoteFileError(RemoteError):
    """One file could not be read (gone since the listing, or not readable by this login);
    the connection is fine and the other files can be."""


#: a listing that does not say a file's size (an optional MLSD fact, an SFTP attribute)
UNKNOWN_SIZE = -1


@dataclass(frozen=True)
class RemoteFile:
    name: str
    size: int  # UNKNOWN_SIZE when the server does not say
    #: the server's modification time as it states it (compared, never interpreted)
    mtime: str


class Remote(Protocol):
    host_key: str | None

    def list(self) -> list[RemoteFile]: ...
    def read(self, name: str, max_bytes: int) -> bytes: ...
    def move(self, name: str, folder: str) -> str: ...
    def delete(self, name: str) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class Location:
    host: str
    port: int
    user: str
    path: str


def location(url: str, default_port: int) -> Location:
    parts = urlsplit(url)
    return Location(parts.hostname or "", parts.port or default_port,
                    unquote(parts.username or "anonymous"), unquote(parts.path or "/") or "/")


def connect(protocol: str, url: str, password: str | None, key_file: str | None,
            host_key: str | None = None) -> Remote:
    """An open connection to the folder of `url` (`ftp`, `ftps` or `sftp`)."""
    if protocol == "sftp":
        return SFTPRemote(location(url, 22), password, key_file, host_key)
    return FTPRemote(location(url, 21), password, tls=protocol == "ftps")


def _candidates(name: str) -> Iterator[str]:
    yield name
    stem, dot, suffix = name.partition(".")
    n = 1
    while True:
        yield f"{stem}.{n}{dot}{suffix}" if dot else f"{name}.{n}"
        n += 1


class _FTPS(ftplib.FTP_TLS):
    """Explicit FTPS whose data connections resume the control connection's TLS session.

    A server that requires it (vsftpd's `require_ssl_reuse`, its default; ProFTPD and FileZilla
    Server alike) knows that way that a data connection belongs to the logged-in control
    connection, and refuses any other: "522 SSL connection failed: session reuse required" on
    the first listing. ftplib does not resume (CPython issue 63699); this is its
    `ntransfercmd` with the session passed on.
    """

    def ntransfercmd(self, cmd: str, rest: int | str | None = None
                     ) -> tuple[socket.socket, int | None]:
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:  # type: ignore[attr-defined]
            conn = self.context.wrap_socket(conn, server_hostname=self.host,
                                            session=self.sock.session)  # type: ignore[attr-defined]
        return conn, size


class FTPRemote:
    host_key = None

    def __init__(self, where: Location, password: str | None, tls: bool) -> None:
        self.where = where
        self.ftp: ftplib.FTP = (_FTPS(context=ssl.create_default_context(), timeout=TIMEOUT)
                                if tls else ftplib.FTP(timeout=TIMEOUT))
        self.taken: dict[str, set[str]] = {}
        try:
            self.ftp.connect(where.host, where.port, timeout=CONNECT_TIMEOUT)
            self.ftp.login(where.user, password or "")
            if isinstance(self.ftp, ftplib.FTP_TLS):
                self.ftp.prot_p()
            self.ftp.cwd(where.path)
        except (OSError, EOFError, ftplib.Error, ssl.SSLError) as e:
            self.close()
            raise RemoteError(f"connect and log in: {_reason(e)}") from None

    def list(self) -> list[RemoteFile]:
        try:
            try:
                # ftplib lower-cases the facts' names; their values are case-insensitive too
                # (RFC 3659's grammar), and some servers answer "Type=File"
                return [RemoteFile(name, int(facts.get("size", UNKNOWN_SIZE)),
                                   facts.get("modify", ""))
                        for name, facts in self.ftp.mlsd(facts=["type", "size", "modify"])
                        if facts.get("type", "").lower() == "file"]
            except ftplib.error_perm:  # no MLSD here: NLST, then SIZE and MDTM per name
                names = self._names()
                # after the listing, which ftplib reads in ASCII mode: many servers refuse
                # SIZE in ASCII mode ("550 SIZE not allowed in ASCII mode")
                self.ftp.voidcmd("TYPE I")
                found = []
                for name in names:
                    try:
                        size = self.ftp.size(name)
                        modified = self.ftp.voidcmd(f"MDTM {name}").split()[-1]
                    except ftplib.error_perm:
                        continue  # a folder, or gone meanwhile
                    found.append(RemoteFile(os.path.basename(name),
                                            UNKNOWN_SIZE if size is None else size, modified))
                return found
        except (OSError, EOFError, ftplib.Error) as e:
            raise RemoteError(f"list the folder: {_reason(e)}") from None

    def read(self, name: str, max_bytes: int) -> bytes:
        """The file's bytes, at most `max_bytes + 1` (more is refused by the parse's cap).

        In binary mode (TYPE I), as ftplib's `retrbinary` does: the listing left the
        connection in ASCII mode, where a server may rewrite line ends (LF -> CRLF), so the
        bytes would not be the file's, nor their count the listed size.
        """
        buffer = io.BytesIO()
        try:
            self.ftp.voidcmd("TYPE I")
            with self.ftp.transfercmd(f"RETR {name}") as conn:
                while buffer.tell() <= max_bytes:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    buffer.write(chunk)
                if isinstance(conn, ssl.SSLSocket) and buffer.tell() <= max_bytes:
                    conn.unwrap()
            if buffer.tell() <= max_bytes:
                self.ftp.voidresp()
            else:  # the data connection is closed: the server answers the RETR (426, or 226)
                self._transfer_answer()
        except ftplib.error_perm as e:  # 550 and kin: this file, before any byte came
            raise RemoteFileError(f"read {name}: {_reason(e)}") from None
        except (OSError, EOFError, ftplib.Error) as e:
            raise RemoteError(f"read {name}: {_reason(e)}") from None
        return buffer.getvalue()[: max_bytes + 1]

    def move(self, name: str, folder: str) -> str:
        try:
            taken = self._taken(folder)
            target = next(c for c in _candidates(name) if c not in taken)
            self.ftp.rename(name, f"{folder}/{target}")
            taken.add(target)
            return f"{folder}/{target}"
        except (OSError, EOFError, ftplib.Error) as e:
            raise RemoteError(f"move {name} into {folder}/: {_reason(e)}") from None

    def _taken(self, folder: str) -> set[str]:
        if folder not in self.taken:
            try:
                self.ftp.mkd(folder)
                self.taken[folder] = set()
            except ftplib.error_perm:  # there already
                self.taken[folder] = {os.path.basename(n) for n in self._names(folder)}
        return self.taken[folder]

    def _transfer_answer(self) -> None:
        """Read the answer to a transfer stopped by closing its data connection.

        Not ABOR: its exchange is two answers (the transfer's, then the ABOR's), of which
        ftplib's `abort` reads one, so every later command would read the answer of the one
        before ("350 Ready for RNTO" for a RETR): one file over the size cap then failed every
        file after it, and its own move into `failed/`.
        """
        try:
            self.ftp.voidresp()
        except ftplib.error_temp:  # 426 "transfer aborted": as asked
            pass

    def _names(self, *folder: str) -> list[str]:
        """NLST of the current folder (or of `folder`). Servers without MLSD often answer it
        for an empty folder with 550 "No files found" (some with 450) where others list
        nothing; the folder is known to exist here (entered at login, or just found by MKD)."""
        try:
            return self.ftp.nlst(*folder)
        except (ftplib.error_perm, ftplib.error_temp) as e:
            if str(e)[:3] in ("550", "450"):
                return []
            raise

    def delete(self, name: str) -> None:
        try:
            self.ftp.delete(name)
        except (OSError, EOFError, ftplib.Error) as e:
            raise RemoteError(f"delete {name}: {_reason(e)}") from None

    def close(self) -> None:
        try:
            self.ftp.quit()
        except (OSError, EOFError, ftplib.Error, AttributeError):
            self.ftp.close()


class SFTPRemote:
    def __init__(self, where: Location, password: str | None, key_file: str | None,
                 host_key: str | None) -> None:
        self.where = where
        self.taken: dict[str, set[str]] = {}
        self.transport: paramiko.Transport | None = None
        try:
            sock = socket.create_connection((where.host, where.port), timeout=CONNECT_TIMEOUT)
            self.transport = paramiko.Transport(sock)
            self.transport.start_client(timeout=CONNECT_TIMEOUT)
            self.host_key = self._check_host_key(self.transport.get_remote_server_key(), host_key)
            if key_file:
                self.transport.auth_publickey(where.user, _private_key(key_file, password))
            else:
                self.transport.auth_password(where.user, password or "")
            self.sftp = paramiko.SFTPClient.from_transport(self.transport)
            assert self.sftp is not None
            self.sftp.get_channel().settimeout(TIMEOUT)
            self.sftp.chdir(where.path)
        except RemoteError:
            self.close()
            raise
        except (OSError, EOFError, paramiko.SSHException) as e:
            self.close()
            raise RemoteError(f"connect and log in: {_reason(e)}") from None

    def _check_host_key(self, key: paramiko.PKey, trusted: str | None) -> str:
        seen = f"{key.get_name()} {key.get_base64()}"
        name = self.where.host if self.where.port == 22 else f"[{self.where.host}]:{self.where.port}"
        known_hosts = os.path.expanduser("~/.ssh/known_hosts")
        if os.path.exists(known_hosts):
            listed = paramiko.HostKeys(known_hosts).lookup(name)
            if listed is not None:
                if listed.get(key.get_name()) != key:
                    raise RemoteError(f"host key of {name} is not the one in {known_hosts}")
                return seen
        if trusted is not None and trusted != seen:
            raise RemoteError(f"host key of {name} changed since this feed first connected "
                              "(if the change is expected, reset the feed's position)")
        return seen

    def list(self) -> list[RemoteFile]:
        try:
            return [RemoteFile(a.filename, UNKNOWN_SIZE if a.st_size is None else a.st_size,
                               str(a.st_mtime))
                    for a in self.sftp.listdir_attr(".")
                    if a.st_mode is not None and stat.S_ISREG(a.st_mode)]
        except (OSError, EOFError, paramiko.SSHException) as e:
            raise RemoteError(f"list the folder: {_reason(e)}") from None

    def read(self, name: str, max_bytes: int) -> bytes:
        try:
            with self.sftp.open(name, "rb") as remote:
                remote.prefetch()
                return bytes(remote.read(max_bytes + 1))
        except (FileNotFoundError, PermissionError) as e:  # the server's answer for this file
            raise RemoteFileError(f"read {name}: {_reason(e)}") from None
        except (OSError, EOFError, paramiko.SSHException) as e:
            raise RemoteError(f"read {name}: {_reason(e)}") from None

    def move(self, name: str, folder: str) -> str:
        try:
            if folder not in self.taken:
                try:
                    self.taken[folder] = set(self.sftp.listdir(folder))
                except FileNotFoundError:
                    self.sftp.mkdir(folder)
                    self.taken[folder] = set()
            target = next(c for c in _candidates(name) if c not in self.taken[folder])
            self.sftp.rename(name, f"{folder}/{target}")  # SFTP v3 never overwrites
            self.taken[folder].add(target)
            return f"{folder}/{target}"
        except (OSError, EOFError, paramiko.SSHException) as e:
            raise RemoteError(f"move {name} into {folder}/: {_reason(e)}") from None

    def delete(self, name: str) -> None:
        try:
            self.sftp.remove(name)
        except (OSError, EOFError, paramiko.SSHException) as e:
            raise RemoteError(f"delete {name}: {_reason(e)}") from None

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def _private_key(path: str, passphrase: str | None) -> paramiko.PKey:
    """The private key in `path` (OpenSSH or PEM; RSA, ECDSA or Ed25519), decrypted with
    `passphrase` when it is encrypted.

    The passphrase goes by position: paramiko 3.2-4 name it `passphrase`, 5 `password`.
    A missing passphrase is a TypeError, a wrong one a ValueError (after paramiko's PEM
    fallback, whose own message misleads); neither message holds the passphrase.
    """
    try:
        return paramiko.PKey.from_path(os.path.expanduser(path),
                                       passphrase.encode() if passphrase else None)
    except ValueError:
        raise RemoteError(f"read the private key {path}: the passphrase is wrong, or the file "
                          "is not a private key") from None
    except (OSError, TypeError, paramiko.SSHException) as e:
        raise RemoteError(f"read the private key {path}: {_reason(e)}") from None


def _reason(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
