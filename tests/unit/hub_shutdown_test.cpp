// The hub once it is shut: a socket whose upgrade the HTTP server handed
// over just before the shutdown finishes its handshake just after it. It is
// closed as the others were (1001), not registered: registered, it held the
// server's exit up for as long as its client stayed connected.
#include "../../src/http/upgraded_connection.hpp"
#include "switchboard/core/metrics.hpp"
#include "switchboard/store/store.hpp"
#include "switchboard/ws/hub.hpp"

#include <boost/beast/websocket.hpp>
#include <boost/test/unit_test.hpp>

using namespace switchboard;
namespace websocket = beast::websocket;

BOOST_AUTO_TEST_SUITE(hub_shutdown)

BOOST_AUTO_TEST_CASE(a_socket_whose_handshake_ends_after_the_shutdown_is_closed_going_away) {
    net::io_context ioc;
    auto store = store::make_memory_store();
    metrics::registry metrics;
    ws::hub hub(ioc, *store, metrics, {});
    hub.start();
    bool none_open = false;
    hub.shutdown([&] { none_open = true; });
    BOOST_TEST(none_open);

    // A client over a real loopback socket, and its upgrade request read on
    // the server's side, as the HTTP server reads it before it hands over.
    tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::address_v4::loopback(), 0));
    websocket::stream<tcp::socket> client(ioc);
    client.next_layer().connect(acceptor.local_endpoint());
    http::upgraded_socket server_side(net::make_strand(ioc));
    acceptor.accept(server_side);
    beast::flat_buffer server_buffer;
    bhttp::request<bhttp::string_body> upgrade_request;

    beast::error_code handshake_ec, read_ec;
    beast::flat_buffer client_buffer;
    client.async_handshake("127.0.0.1", "/ws", [&](beast::error_code ec) {
        handshake_ec = ec;
        if (!ec) client.async_read(client_buffer, [&](beast::error_code e, std::size_t) { read_ec = e; });
    });
    bhttp::async_read(server_side, server_buffer, upgrade_request, [&](beast::error_code ec, std::size_t) {
        BOOST_REQUIRE(!ec);
        hub.upgrade_for("ana", "Ana", "session-1")
            ->start(std::make_unique<http::upgraded_connection>(std::move(server_side), std::move(server_buffer),
                                                                std::move(upgrade_request)));
    });
    ioc.run_for(std::chrono::seconds(10));  // ends once the socket is closed; a registered one would stay

    BOOST_TEST(!handshake_ec.failed(), handshake_ec.message());
    bool closed = read_ec == websocket::error::closed;
    BOOST_TEST(closed, read_ec.message() << ", read: " << beast::buffers_to_string(client_buffer.data()));
    BOOST_TEST(client.reason().code == websocket::close_code::going_away);
    BOOST_TEST(std::string(client.reason().reason.data(), client.reason().reason.size()) == "server shutting down");
    BOOST_TEST(hub.online().empty());
}

BOOST_AUTO_TEST_SUITE_END()
