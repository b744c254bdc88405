"""SFTP checks the server's host key: the first one seen is trusted, a changed one refused."""

from __future__ import annotations

import paramiko

from tests.agencies.driver import context, feed_of, poll
from tests.agencies.servers import SFTPServer
from worker.fetch import ftp

ENV = {"FTP_PASSWORD": "sftp-pa55"}


def test_the_first_host_key_is_kept_and_a_changed_one_refuses_the_connection(tmp_path, sqlite_url,
                                                                             now):
    from worker.store.db import open_store
    engine = open_store(sqlite_url)
    (tmp_path / "out").mkdir()
    server = SFTPServer(tmp_path, "wire", "sftp-pa55").start()
    feed = feed_of(ENV, protocol="sftp", password="${FTP_PASSWORD}",
                   url=f"sftp://wire@127.0.0.1:{server.port}/out/")
    try:
        first = poll(ftp, feed, context(ENV, engine, now), {})
        assert first.failure is None
        assert first.position["host_key"].split()[1] == server.host_key.get_base64()

        server.host_key = paramiko.ECDSAKey.generate()  # another server answers now
        second = poll(ftp, feed, context(ENV, engine, now), first.position)

        assert second.failure is not None and "host key" in str(second.failure)
        assert server.logins == 1  # no password was sent to the impostor
    finally:
        server.stop()
        engine.dispose()
