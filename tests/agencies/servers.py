"""Real FTP, FTPS (pyftpdlib, and vsftpd as a process) and SFTP (paramiko) servers on
127.0.0.1, serving a local folder.

`self_signed(tmp)` makes a certificate for 127.0.0.1 (cryptography) for FTPS; point
`SSL_CERT_FILE` at it so the client trusts it. The SFTP server has a fresh host key and one
user with a password; its SFTP side maps the remote paths onto `root` (paramiko's
`SFTPServerInterface`, the way paramiko's own tests do it).
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import pwd
import socket
import subprocess
import threading
from pathlib import Path
from typing import Any

import paramiko
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.filesystems import AbstractedFS
from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
from pyftpdlib.ioloop import IOLoop
from pyftpdlib.servers import ThreadedFTPServer

from tests.api_server import free_port
from tests.servers import _wait


def self_signed(folder: Path) -> tuple[Path, Path]:
    """(certificate, key) files for 127.0.0.1, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class _CapitalFacts(AbstractedFS):
    """MLSD facts as some servers write them: `Type=File;Size=...;Modify=...;`."""

    def format_mlsx(self, *args: Any, **kwargs: Any) -> Any:
        for line in super().format_mlsx(*args, **kwargs):
            facts, _, name = line.partition(b" ")
            yield b";".join(b"=".join(part.capitalize() for part in fact.split(b"=", 1))
                            for fact in facts.split(b";")) + b" " + name


def _nlst_550_when_empty(self: Any, path: str) -> Any:
    """NLST as servers without MLSD often answer it: 550 for an empty folder."""
    if self.fs.isdir(path) and not self.fs.listdir(path):
        self.respond("550 No files found.")
        return None
    return FTPHandler.ftp_NLST(self, path)


class _NoSizeFacts(AbstractedFS):
    """MLSD without the (optional) size fact."""

    def format_mlsx(self, *args: Any, **kwargs: Any) -> Any:
        for line in super().format_mlsx(*args, **kwargs):
            facts, _, name = line.partition(b" ")
            kept = [fact for fact in facts.split(b";") if not fact.startswith(b"size=")]
            yield b";".join(kept) + b" " + name


class FTPServer:
    """pyftpdlib serving `root` to `user`/`password`; `tls=(cert, key)` for explicit FTPS;
    `capital_facts` lists with `Type=File` instead of `type=file`; `no_size` without the size
    fact; `old` knows no MLSD and answers NLST of an empty folder with 550."""

    def __init__(self, root: Path, user: str, password: str,
                 tls: tuple[Path, Path] | None = None, capital_facts: bool = False,
                 no_size: bool = False, old: bool = False) -> None:
        authorizer = DummyAuthorizer()
        authorizer.add_user(user, password, str(root), perm="elradfmwMT")
        handler: Any = type("Handler", (TLS_FTPHandler if tls else FTPHandler,), {})
        if capital_facts or no_size:
            handler.abstracted_fs = _CapitalFacts if capital_facts else _NoSizeFacts
        if old:
            handler.proto_cmds = {k: v for k, v in handler.proto_cmds.items() if k != "MLSD"}
            handler.ftp_NLST = _nlst_550_when_empty
        handler.authorizer = authorizer
        handler.passive_ports = None
        if tls:
            handler.certfile, handler.keyfile = str(tls[0]), str(tls[1])
            handler.tls_control_required = handler.tls_data_required = True
        self.server = ThreadedFTPServer(("127.0.0.1", 0), handler, ioloop=IOLoop())
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        # pyftpdlib's own test server: serve and close in the one thread that owns the loop
        while not self.stopped.is_set():
            self.server.serve_forever(timeout=0.01, blocking=False, handle_exit=False)
        self.server.close_all()

    def start(self) -> FTPServer:
        self.thread.start()
        return self

    @property
    def port(self) -> int:
        return int(self.server.address[1])

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(10)


class _Handle(paramiko.SFTPHandle):
    def stat(self) -> Any:
        return paramiko.SFTPAttributes.from_stat(os.fstat(self.readfile.fileno()))


class _Folder(paramiko.SFTPServerInterface):
    root = Path("/")

    def _real(self, path: str) -> str:
        return str(self.root / self.canonicalize(path).lstrip("/"))

    def canonicalize(self, path: str) -> str:
        return os.path.normpath("/" + path) if not path.startswith("/") else os.path.normpath(path)

    def list_folder(self, path: str) -> Any:
        real = self._real(path)
        try:
            out = []
            for name in os.listdir(real):
                attr = paramiko.SFTPAttributes.from_stat(os.stat(os.path.join(real, name)))
                attr.filename = name
                out.append(attr)
            return out
        except OSError as e:
            return paramiko.SFTPServer.convert_errno(e.errno)

    def stat(self, path: str) -> Any:
        try:
            return paramiko.SFTPAttributes.from_stat(os.stat(self._real(path)))
        except OSError as e:
            return paramiko.SFTPServer.convert_errno(e.errno)

    lstat = stat

    def open(self, path: str, flags: int, attr: Any) -> Any:
        try:
            fd = os.open(self._real(path), flags, 0o644)
        except OSError as e:
            return paramiko.SFTPServer.convert_errno(e.errno)
        mode = "rb" if not flags & (os.O_WRONLY | os.O_RDWR) else "r+b"
        handle = _Handle(flags)
        handle.readfile = handle.writefile = os.fdopen(fd, mode)
        return handle

    def remove(self, path: str) -> int:
        try:
            os.remove(self._real(path))
        except OSError as e:
            return paramiko.SFTPServer.convert_errno(e.errno)
        return paramiko.SFTP_OK

    def rename(self, old: str, new: str) -> int:
        if os.path.exists(self._real(new)):
            return paramiko.SFTP_FAILURE
        try:
            os.rename(self._real(old), self._real(new))
        except OSError as e:
            return paramiko.SFTPServer.convert_errno(e.errno)
        return paramiko.SFTP_OK

    def mkdir(self, path: str, attr: Any) -> int:
        try:
            os.mkdir(self._real(path))
        except OSError as e:
            return paramiko.SFTPServer.convert_errno(e.errno)
        return paramiko.SFTP_OK


class SFTPServer:
    """An SSH server with the SFTP subsystem on `root`, one user with a password."""

    def __init__(self, root: Path, user: str, password: str) -> None:
        self.root, self.user, self.password = root, user, password
        self.host_key = paramiko.ECDSAKey.generate()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.stopped = threading.Event()
        self.transports: list[paramiko.Transport] = []
        self.logins = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def start(self) -> SFTPServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(5)
        for transport in self.transports:
            transport.close()
        self.sock.close()

    def _serve(self) -> None:
        outer = self
        folder = type("Folder", (_Folder,), {"root": self.root})

        class Server(paramiko.ServerInterface):
            def check_auth_password(self, username: str, password: str) -> int:
                if username == outer.user and password == outer.password:
                    outer.logins += 1
                    return paramiko.AUTH_SUCCESSFUL
                return paramiko.AUTH_FAILED

            def get_allowed_auths(self, username: str) -> str:
                return "password"

            def check_channel_request(self, kind: str, chanid: int) -> int:
                return paramiko.OPEN_SUCCEEDED if kind == "session" else \
                    paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            transport = paramiko.Transport(conn)
            transport.add_server_key(self.host_key)
            transport.set_subsystem_handler("sftp", paramiko.SFTPServer, folder)
            try:
                transport.start_server(server=Server())
            except (paramiko.SSHException, EOFError, OSError):
                continue
            self.transports.append(transport)


class _ServerProcess:
    """A server the test runs as a process of its own, in its own process group (with the
    session processes it forks), on a free port; stopped by that pid, never by name."""

    BINARY = ""
    PACKAGE = ""
    #: how the server's greeting begins once it accepts connections
    BANNER = b""

    def __init__(self, work: Path) -> None:
        self.port = free_port()
        self.log = work / f"{Path(self.BINARY).name}.out"
        self.proc: Any = None

    def argv(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> Any:
        if not os.path.exists(self.BINARY):  # a missing server fails, never skips
            raise AssertionError(f"{self.BINARY} is not installed (Debian package "
                                 f"{self.PACKAGE}; .ci/run installs it)")
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(self.argv(), stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)

        def greets() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.BINARY} exited: {self.log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    return s.recv(64).startswith(self.BANNER)
            except OSError:
                return False

        _wait(greets, 20, f"{self.BINARY} on port {self.port}")
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            self.proc.wait(20)


class Vsftpd(_ServerProcess):
    """vsftpd (Debian's package, the FTP server partners run most), explicit FTPS with its
    defaults for data connections: TLS required, and the control connection's TLS session
    resumed (`require_ssl_reuse`). No MLSD, as vsftpd has none. Anonymous login (any
    password), chrooted to `root`, whose `outgoing/` it may write in.

    vsftpd starts as root and drops to Debian's `ftp` user; it refuses a root its user can
    write to, so `root` is made root-owned and `outgoing/` the `ftp` user's.
    """

    BINARY, PACKAGE, BANNER = "/usr/sbin/vsftpd", "vsftpd", b"220"

    def __init__(self, root: Path, tls: tuple[Path, Path], work: Path) -> None:
        super().__init__(work)
        self.root = root
        os.chmod(root, 0o755)
        os.chown(root, 0, 0)
        ftp = pwd.getpwnam("ftp")
        os.chown(root / "outgoing", ftp.pw_uid, ftp.pw_gid)
        settings = {
            "listen": "YES", "listen_address": "127.0.0.1", "listen_port": self.port,
            "background": "NO", "anonymous_enable": "YES", "no_anon_password": "YES",
            "anon_root": root, "local_enable": "NO", "write_enable": "YES",
            "anon_upload_enable": "YES", "anon_mkdir_write_enable": "YES",
            "anon_other_write_enable": "YES", "anon_umask": "022", "ssl_enable": "YES",
            "allow_anon_ssl": "YES", "force_anon_logins_ssl": "YES", "force_anon_data_ssl": "YES",
            "require_ssl_reuse": "YES", "ssl_ciphers": "HIGH", "rsa_cert_file": tls[0],
            "rsa_private_key_file": tls[1], "seccomp_sandbox": "NO", "xferlog_enable": "NO",
        }
        self.config = work / "vsftpd.conf"
        self.config.write_text("".join(f"{k}={v}\n" for k, v in settings.items()))

    def argv(self) -> list[str]:
        return [self.BINARY, str(self.config)]


class OpenSSH(_ServerProcess):
    """OpenSSH's sshd (Debian's openssh-server), the SFTP server partners run most. Key login
    only, for root, with the keys of `authorized_keys`; SFTP by its `internal-sftp`, on the
    real file system (no chroot: a feed names `root`'s absolute path).
    """

    BINARY, PACKAGE, BANNER = "/usr/sbin/sshd", "openssh-server", b"SSH-2.0-"

    def __init__(self, work: Path, authorized_keys: list[Path]) -> None:
        super().__init__(work)
        self.host_key = work / "ssh_host_ed25519_key"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(self.host_key)],
                       check=True)
        keys = work / "authorized_keys"
        keys.write_text("".join(k.read_text() for k in authorized_keys))
        settings = {
            "Port": self.port, "ListenAddress": "127.0.0.1", "HostKey": self.host_key,
            "PidFile": work / "sshd.pid", "AuthorizedKeysFile": keys,
            "PermitRootLogin": "prohibit-password", "PasswordAuthentication": "no",
            "KbdInteractiveAuthentication": "no", "UsePAM": "no", "StrictModes": "no",
            "Subsystem": "sftp internal-sftp",
        }
        self.config = work / "sshd_config"
        self.config.write_text("".join(f"{k} {v}\n" for k, v in settings.items()))

    def argv(self) -> list[str]:
        os.makedirs("/run/sshd", exist_ok=True)  # its privilege separation folder
        return [self.BINARY, "-D", "-e", "-f", str(self.config)]
