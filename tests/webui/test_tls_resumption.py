"""A browser coming back resumes its TLS session (issue 14: a full handshake is the costliest part of a new
connection on a small board): the web's server context keeps session tickets on, for TLS 1.2 and 1.3."""
from __future__ import annotations

import socket
import ssl
import threading

import pytest

from appliance import config
from webui import tls


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_a_second_connection_resumes_the_first_ones_session(tmp_path, version):
    web = config.Config(None).section("web")
    tls.ensure_certificate(web, tmp_path)
    server_ctx = tls.server_context(web, tmp_path)
    assert not server_ctx.options & ssl.OP_NO_TICKET
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve():
        for _ in range(2):
            conn, _addr = listener.accept()
            with server_ctx.wrap_socket(conn, server_side=True) as s:
                s.recv(16)
                s.sendall(b"ok")
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    client_ctx = ssl.create_default_context(cafile=str(tls.files(web, tmp_path)[0]))
    client_ctx.minimum_version = client_ctx.maximum_version = version
    session, reused = None, []
    for _ in range(2):
        with client_ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                                    server_hostname="127.0.0.1", session=session) as s:
            s.sendall(b"hi")
            assert s.recv(16) == b"ok"      # TLS 1.3 sends its ticket after the handshake: read before keeping it
            reused.append(s.session_reused)
            session = s.session
    thread.join(10)
    listener.close()
    assert reused == [False, True]
