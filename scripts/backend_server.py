#!/usr/bin/env python3
# A test backend: answers on the VIPs with its own name, so a test can tell
# which backend got each connection. HTTP GET on :80 ("NAME\n"), TCP echo on
# :7 (each line back as "NAME line"), UDP echo on :53 ("NAME payload").
# Usage: backend_server.py NAME VIP4 VIP6
import http.server
import socket
import socketserver
import sys
import threading

name, vips = sys.argv[1], sys.argv[2:]


class Http(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = (name + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Echo(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(name.encode() + b" " + line)
            self.wfile.flush()


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def tcp_server(addr, port, handler):
    class S(socketserver.ThreadingTCPServer):
        address_family = family(addr)
        allow_reuse_address = True
        daemon_threads = True
        request_queue_size = 512
    srv = S((addr, port), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()


def udp_echo(addr):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind((addr, 53))
    while True:
        data, peer = s.recvfrom(65535)
        s.sendto(name.encode() + b" " + data, peer)


for vip in vips:
    tcp_server(vip, 80, Http)
    tcp_server(vip, 7, Echo)
    threading.Thread(target=udp_echo, args=(vip,), daemon=True).start()
threading.Event().wait()
