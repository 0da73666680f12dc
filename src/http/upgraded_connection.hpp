// A connection handed over after an upgrade: its stream, any bytes already
// read past the request, and the request itself. Internal to src/.
#pragma once

#include "beast.hpp"
#include "switchboard/http/message.hpp"

namespace switchboard::http {

// The connection's own socket type, executor and all: a WebSocket over it
// calls no type-erased executor for each frame, and its timeouts are the
// WebSocket stream's own.
using upgraded_socket = net::basic_stream_socket<tcp, net::strand<net::io_context::executor_type>>;

class upgraded_connection {
public:
    upgraded_connection(upgraded_socket&& s, beast::flat_buffer&& b, bhttp::request<bhttp::string_body>&& r)
        : stream(std::move(s)), buffer(std::move(b)), req(std::move(r)) {}
    upgraded_socket stream;
    beast::flat_buffer buffer;
    bhttp::request<bhttp::string_body> req;
};

}  // namespace switchboard::http
