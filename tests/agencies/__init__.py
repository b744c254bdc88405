"""Local stand-ins for the agencies' delivery APIs and servers, started by the tests.

Each is a real server on 127.0.0.1 (an HTTP server for AP Media API, dpa wireQ and Reuters
Connect with its OAuth token endpoint; pyftpdlib for FTP/FTPS; paramiko for SFTP) that behaves
like the agency does where it matters for delivery: paging and cursors that expire, queue
receipts and entries that come back when not deleted, pacing headers, quotas, tokens that
expire, failures in the middle of a page. Every request is logged for the assertions.
"""
