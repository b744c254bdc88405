"""FTP, FTPS and SFTP delivery (SPEC "Delivery protocols") against real local servers."""

from __future__ import annotations

import contextlib
import subprocess
from dataclasses import replace
from datetime import timedelta

import pytest

from tests.agencies.driver import context, feed_of, poll
from tests.agencies.servers import FTPServer, OpenSSH, SFTPServer, Vsftpd, self_signed
from worker.fetch import ftp

USER, PASSWORD = "wire", "ftp-pa55word-QX"
ENV = {"FTP_PASSWORD": PASSWORD}
# lines as a file written on a Unix server has them: a server that rewrote its line ends
# (ASCII mode) would hand over other bytes than the listed size
NITF = ('<?xml version="1.0"?>\n<nitf><head><title>{h}</title><docdata><doc-id id-string="{i}"/>'
        '\n<date.issue norm="20261125T100000Z"/></docdata></head>\n<body><body.head><hedline>'
        '<hl1>{h}</hl1></hedline></body.head>\n<body.content><p>Text of {h}.</p></body.content>'
        '</body>\n</nitf>\n')


@pytest.fixture(params=["ftp", "ftps", "sftp"])
def server(request, tmp_path, monkeypatch):
    root = tmp_path / "remote"
    (root / "outgoing").mkdir(parents=True)
    if request.param == "sftp":
        srv = SFTPServer(root, USER, PASSWORD).start()
    elif request.param == "ftps":
        cert, key = self_signed(tmp_path)
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        srv = FTPServer(root, USER, PASSWORD, tls=(cert, key)).start()
    else:
        srv = FTPServer(root, USER, PASSWORD).start()
    srv.protocol, srv.root = request.param, root
    yield srv
    srv.stop()


def feed(server, **keys):
    scheme = "sftp" if server.protocol == "sftp" else "ftp"
    return feed_of(ENV, protocol=server.protocol, password="${FTP_PASSWORD}", min_age=5,
                   url=f"{scheme}://{USER}@127.0.0.1:{server.port}/outgoing/", **keys)


def drop(server, name, headline):
    (server.root / "outgoing" / name).write_text(NITF.format(h=headline, i=name))


def test_a_file_is_fetched_once_it_has_not_changed_for_min_age_then_moved(server, engine, now):
    drop(server, "a.xml", "Alpha")

    seen = poll(ftp, feed(server), context(ENV, engine, now), {})
    assert seen.failure is None
    assert seen.documents == [] and seen.batch.next_poll_in == 5
    too_soon = poll(ftp, feed(server), context(ENV, engine, now + timedelta(seconds=4)),
                    seen.position)
    assert too_soon.documents == []
    ready = poll(ftp, feed(server), context(ENV, engine, now + timedelta(seconds=5)),
                 seen.position)

    assert [s.headline for s in ready.stories] == ["Alpha"]
    assert not (server.root / "outgoing" / "a.xml").exists()
    assert (server.root / "outgoing" / "processed" / "a.xml").exists()


def test_a_file_that_changes_settles_again_before_it_is_read(server, engine, now):
    drop(server, "a.xml", "Alpha")
    seen = poll(ftp, feed(server), context(ENV, engine, now), {})
    drop(server, "a.xml", "Alpha, still being written")

    later = poll(ftp, feed(server), context(ENV, engine, now + timedelta(seconds=6)),
                 seen.position)

    assert later.documents == []


def test_delete_and_leave(server, engine, now):
    drop(server, "a.xml", "Alpha")
    later = now + timedelta(seconds=10)
    gone = feed(server, after="delete")
    poll(ftp, gone, context(ENV, engine, later),
         poll(ftp, gone, context(ENV, engine, now), {}).position)
    assert list((server.root / "outgoing").iterdir()) == []

    drop(server, "b.xml", "Bravo")
    left = feed(server, after="leave")
    first = poll(ftp, left, context(ENV, engine, later),
                 poll(ftp, left, context(ENV, engine, now), {}).position)
    assert [s.headline for s in first.stories] == ["Bravo"]
    again = poll(ftp, left, context(ENV, engine, later + timedelta(seconds=30)), first.position)
    assert again.documents == [] and (server.root / "outgoing" / "b.xml").exists()


def test_a_document_that_cannot_be_read_is_moved_aside_into_failed(server, engine, now):
    (server.root / "outgoing" / "junk.xml").write_text("<nitf><unclosed>")
    drop(server, "a.xml", "Alpha")

    seen = poll(ftp, feed(server), context(ENV, engine, now), {})
    result = poll(ftp, feed(server), context(ENV, engine, now + timedelta(seconds=5)),
                  seen.position)

    assert len(result.errors) == 1 and [s.headline for s in result.stories] == ["Alpha"]
    assert (server.root / "outgoing" / "failed" / "junk.xml").exists()
    assert (server.root / "outgoing" / "processed" / "a.xml").exists()


def test_a_crash_between_commit_and_move_fetches_the_file_again_and_moves_it(server, engine,
                                                                             now):
    drop(server, "a.xml", "Alpha")
    seen = poll(ftp, feed(server), context(ENV, engine, now), {})
    later = now + timedelta(seconds=5)
    crashed = poll(ftp, feed(server), context(ENV, engine, later), seen.position, stop_after=1)
    assert len(crashed.stories) == 1 and (server.root / "outgoing" / "a.xml").exists()

    again = poll(ftp, feed(server), context(ENV, engine, later), crashed.position)

    assert [s.as_json() for s in again.stories] == [s.as_json() for s in crashed.stories]
    assert (server.root / "outgoing" / "processed" / "a.xml").exists()


def test_a_wrong_password_fails_the_poll_without_showing_it(server, engine, now):
    env = {"FTP_PASSWORD": "not-the-pa55word"}

    result = poll(ftp, feed(server), context(env, engine, now), {})

    assert result.failure is not None
    assert "not-the-pa55word" not in str(result.failure)
    assert f"127.0.0.1:{server.port}" not in str(result.failure)


@pytest.fixture
def vsftpd(tmp_path, monkeypatch):
    root = tmp_path / "remote"
    (root / "outgoing").mkdir(parents=True)
    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    srv = Vsftpd(root, (cert, key), tmp_path).start()
    yield srv
    srv.stop()


def test_ftps_from_vsftpd_with_its_defaults_lists_reads_and_moves(vsftpd, engine, now):
    """vsftpd refuses a data connection that does not resume the control connection's TLS
    session (its default `require_ssl_reuse`) and has no MLSD: every data connection of a
    poll (the listing, each file, the `processed/` listing) must resume it."""
    for name, headline in (("a.xml", "Alpha"), ("b.xml", "Beta")):
        drop(vsftpd, name, headline)
    wire = feed_of(ENV, protocol="ftps", min_age=5,
                   url=f"ftp://anonymous@127.0.0.1:{vsftpd.port}/outgoing/")

    seen = poll(ftp, wire, context(ENV, engine, now), {})
    assert seen.failure is None and seen.documents == []
    ready = poll(ftp, wire, context(ENV, engine, now + timedelta(seconds=5)), seen.position)

    assert ready.failure is None
    assert sorted(s.headline for s in ready.stories) == ["Alpha", "Beta"]
    outgoing = vsftpd.root / "outgoing"
    assert sorted(p.name for p in (outgoing / "processed").iterdir()) == ["a.xml", "b.xml"]
    assert not (outgoing / "a.xml").exists() and not (outgoing / "b.xml").exists()


KEY_PASSPHRASE = "key-pa55phrase-ZK"


@pytest.fixture
def openssh(tmp_path):
    key = tmp_path / "wire_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", KEY_PASSPHRASE, "-f", str(key)],
                   check=True)
    srv = OpenSSH(tmp_path, [tmp_path / "wire_key.pub"]).start()
    srv.root, srv.key = tmp_path / "remote", key
    (srv.root / "outgoing").mkdir(parents=True)
    yield srv
    srv.stop()


def sftp_key_feed(openssh, env):
    return feed_of(env, protocol="sftp", key_file=str(openssh.key), password="${KEY_PASSPHRASE}",
                   min_age=5, url=f"sftp://root@127.0.0.1:{openssh.port}{openssh.root}/outgoing/")


def test_sftp_from_openssh_logs_in_with_an_encrypted_key_file(openssh, engine, now):
    env = {"KEY_PASSPHRASE": KEY_PASSPHRASE}
    drop(openssh, "a.xml", "Alpha")

    seen = poll(ftp, sftp_key_feed(openssh, env), context(env, engine, now), {})
    assert seen.failure is None and seen.documents == []
    ready = poll(ftp, sftp_key_feed(openssh, env), context(env, engine, now + timedelta(seconds=5)),
                 seen.position)

    assert ready.failure is None and [s.headline for s in ready.stories] == ["Alpha"]
    assert (openssh.root / "outgoing" / "processed" / "a.xml").exists()
    assert not (openssh.root / "outgoing" / "a.xml").exists()


def test_a_wrong_key_passphrase_fails_the_poll_saying_so_without_showing_it(openssh, engine, now):
    env = {"KEY_PASSPHRASE": "not-the-phrase"}
    drop(openssh, "a.xml", "Alpha")

    result = poll(ftp, sftp_key_feed(openssh, env), context(env, engine, now), {})

    assert result.failure is not None and "passphrase is wrong" in str(result.failure)
    assert "not-the-phrase" not in str(result.failure)
    assert (openssh.root / "outgoing" / "a.xml").exists()


def test_sftp_checks_the_host_key_against_known_hosts_when_it_lists_the_server(
        openssh, engine, now, tmp_path, monkeypatch):
    env = {"KEY_PASSPHRASE": KEY_PASSPHRASE}
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    known_hosts = home / ".ssh" / "known_hosts"
    name = f"[127.0.0.1]:{openssh.port}"
    known_hosts.write_text(f"{name} {openssh.host_key.with_suffix('.pub').read_text()}")

    listed = poll(ftp, sftp_key_feed(openssh, env), context(env, engine, now), {})
    assert listed.failure is None

    other = tmp_path / "other_host_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    known_hosts.write_text(f"{name} {other.with_suffix('.pub').read_text()}")
    refused = poll(ftp, sftp_key_feed(openssh, env), context(env, engine, now), {})

    assert refused.failure is not None and "known_hosts" in str(refused.failure)


def test_a_file_over_the_size_cap_goes_into_failed_and_the_next_file_still_comes(
        server, engine, now):
    """Reading stops at the cap; the connection must stay usable for the files after it."""
    (server.root / "outgoing" / "a-huge.xml").write_bytes(b"<nitf>" + b"x" * 400_000 + b"</nitf>")
    drop(server, "b.xml", "Beta")
    seen = poll(ftp, feed(server), context(ENV, engine, now), {})
    capped = replace(context(ENV, engine, now + timedelta(seconds=5)), max_bytes=100_000)

    ready = poll(ftp, feed(server), capped, seen.position)

    assert ready.failure is None
    assert [s.headline for s in ready.stories] == ["Beta"] and len(ready.errors) == 1
    assert (server.root / "outgoing" / "failed" / "a-huge.xml").exists()
    assert (server.root / "outgoing" / "processed" / "b.xml").exists()


def test_a_file_over_the_size_cap_on_vsftpd_leaves_the_connection_usable(vsftpd, engine, now):
    (vsftpd.root / "outgoing" / "a-huge.xml").write_bytes(b"<nitf>" + b"x" * 400_000 + b"</nitf>")
    drop(vsftpd, "b.xml", "Beta")
    wire = feed_of(ENV, protocol="ftps", min_age=5,
                   url=f"ftp://anonymous@127.0.0.1:{vsftpd.port}/outgoing/")
    seen = poll(ftp, wire, context(ENV, engine, now), {})
    capped = replace(context(ENV, engine, now + timedelta(seconds=5)), max_bytes=100_000)

    ready = poll(ftp, wire, capped, seen.position)

    assert ready.failure is None and [s.headline for s in ready.stories] == ["Beta"]
    assert (vsftpd.root / "outgoing" / "failed" / "a-huge.xml").exists()


def test_a_file_the_login_cannot_read_is_set_aside_and_the_others_still_come(vsftpd, engine,
                                                                             now):
    """vsftpd refuses an anonymous download of a file that is not world-readable ("550
    Failed to open file"): that file's failure, not the poll's."""
    locked = vsftpd.root / "outgoing" / "a-locked.xml"
    locked.write_text(NITF.format(h="Locked", i="a-locked.xml"))
    locked.chmod(0o600)
    drop(vsftpd, "b.xml", "Beta")
    wire = feed_of(ENV, protocol="ftps", min_age=5,
                   url=f"ftp://anonymous@127.0.0.1:{vsftpd.port}/outgoing/")
    seen = poll(ftp, wire, context(ENV, engine, now), {})

    ready = poll(ftp, wire, context(ENV, engine, now + timedelta(seconds=5)), seen.position)

    assert ready.failure is None and [s.headline for s in ready.stories] == ["Beta"]
    assert len(ready.errors) == 1 and "a-locked.xml: cannot read" in str(ready.errors[0])
    assert (vsftpd.root / "outgoing" / "failed" / "a-locked.xml").exists()
    assert (vsftpd.root / "outgoing" / "processed" / "b.xml").exists()


@contextlib.contextmanager
def server_like(tmp_path, **behaviour):
    """A pyftpdlib server answering as another kind of server does (FTPServer's options)."""
    root = tmp_path / "remote"
    (root / "outgoing" / "processed").mkdir(parents=True)
    srv = FTPServer(root, USER, PASSWORD, **behaviour).start()
    srv.protocol, srv.root = "ftp", root
    try:
        yield srv
    finally:
        srv.stop()


def alpha_delivered(srv, engine, now, position) -> bool:
    """A file dropped, seen, and delivered min_age later, and moved into `processed/`."""
    drop(srv, "a.xml", "Alpha")
    seen = poll(ftp, feed(srv), context(ENV, engine, now), position)
    ready = poll(ftp, feed(srv), context(ENV, engine, now + timedelta(seconds=5)),
                 seen.position)
    return (seen.failure is None and ready.failure is None
            and [s.headline for s in ready.stories] == ["Alpha"]
            and (srv.root / "outgoing" / "processed" / "a.xml").exists())


def test_an_ftp_server_writing_its_listing_facts_in_capitals_is_read_alike(tmp_path, engine,
                                                                          now):
    with server_like(tmp_path, capital_facts=True) as srv:
        assert alpha_delivered(srv, engine, now, {})


def test_a_server_without_mlsd_answering_nlst_of_an_empty_folder_with_550(tmp_path, engine,
                                                                         now):
    """Listed by NLST, SIZE (refused in ASCII mode, which ftplib's NLST leaves) and MDTM; an
    empty folder, and an empty `processed/`, are empty, not a failed poll."""
    with server_like(tmp_path, old=True) as srv:
        empty = poll(ftp, feed(srv), context(ENV, engine, now), {})
        assert empty.failure is None and empty.batch.unchanged == "no files"
        assert alpha_delivered(srv, engine, now, empty.position)


def test_a_listing_without_sizes_still_delivers_once_the_files_times_settle(tmp_path, engine,
                                                                           now):
    with server_like(tmp_path, no_size=True) as srv:
        assert alpha_delivered(srv, engine, now, {})
