// A connection handed over after an upgrade: its stream, any bytes already
// read past the request, and the request itself. Internal to src/.
#pragma once

#include "beast.hpp"
#include "switchboard/http/message.hpp"

namespace switchboard::http {

class upgraded_connection {
public:
    upgraded_connection(beast::tcp_stream&& s, beast::flat_buffer&& b, bhttp::request<bhttp::string_body>&& r)
        : stream(std::move(s)), buffer(std::move(b)), req(std::move(r)) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    bhttp::request<bhttp::string_body> req;
};

}  // namespace switchboard::http
