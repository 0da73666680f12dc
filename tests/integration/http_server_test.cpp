// The HTTP core against the real binary: routes, static files, limits, deadlines.
#include "http_client.hpp"
#include "metrics_probe.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

using namespace switchboard::test;
using namespace std::chrono_literals;

namespace {

struct web_root {
    temp_dir dir;
    std::filesystem::path root = dir.path() / "web";
    web_root() {
        std::filesystem::create_directories(root / "js");
        std::ofstream(root / "index.html") << "<!doctype html><title>console</title>";
        std::ofstream(root / "js" / "app.js") << "export const x = 1;";
        std::ofstream(dir.path() / "secret.txt") << "TOP-SECRET";
        std::filesystem::create_symlink(dir.path() / "secret.txt", root / "link.txt");
    }
};

// Sends `request` cut at `cut`, behind an answered request on the same
// connection: the answer to that one shows the server has had the first
// piece to itself before the rest is sent. Returns the request's answer.
http_result send_in_two_pieces(test_connection& c, const std::string& request, std::size_t cut) {
    c.send_raw("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n" + request.substr(0, cut));
    BOOST_TEST(c.read_response().status == 200u);
    c.send_raw(request.substr(cut));
    return c.read_response();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_server)

BOOST_AUTO_TEST_CASE(healthz_answers_ok) {
    server_process server;
    auto res = http_request(server.port(), "GET", "/healthz");
    BOOST_TEST(res.status == 200u);
    BOOST_TEST(res.body == R"({"status":"ok"})");
    BOOST_TEST(res.header("content-type") == "application/json");

    auto head = http_request(server.port(), "HEAD", "/healthz");
    BOOST_TEST(head.status == 200u);
    BOOST_TEST(head.header("content-length") == "15");
    BOOST_TEST(head.body.empty());
}

BOOST_AUTO_TEST_CASE(metrics_count_requests_rejections_and_connections) {
    server_process server;
    for (int i = 0; i < 3; ++i) BOOST_TEST(http_request(server.port(), "GET", "/healthz").status == 200u);
    BOOST_TEST(http_request(server.port(), "POST", "/no/such/route", "{}").status == 404u);
    BOOST_TEST(http_request(server.port(), "POST", "/healthz", "{}").status == 405u);

    auto res = http_request(server.port(), "GET", "/metrics");
    BOOST_TEST(res.status == 200u);
    BOOST_TEST(res.header("content-type").starts_with("text/plain; version=0.0.4"));
    auto& m = res.body;
    BOOST_TEST(metric_value(m, R"(switchboard_http_requests_total{route="/healthz",status="200"})") == 3);
    BOOST_TEST(metric_value(m, R"(switchboard_http_requests_total{route="unmatched",status="404"})") == 1);
    BOOST_TEST(metric_value(m, R"(switchboard_rejections_total{reason="not_found"})") == 1);
    BOOST_TEST(metric_value(m, R"(switchboard_rejections_total{reason="method_not_allowed"})") == 1);
    BOOST_TEST(metric_value(m, R"(switchboard_http_request_duration_seconds_count)") == 5);
    BOOST_TEST(metric_value(m, "switchboard_http_connections_total") == 6);

    // Closed connections leave the gauge asynchronously, so only held ones are certain.
    std::vector<std::unique_ptr<test_connection>> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(std::make_unique<test_connection>(server.port()));
        BOOST_TEST(held.back()->request("GET", "/healthz").status == 200u);
    }
    auto open = metric_value(held.back()->request("GET", "/metrics").body, "switchboard_http_open_connections");
    BOOST_TEST(open >= 3);
    BOOST_TEST(open <= 9);
}

BOOST_AUTO_TEST_CASE(unknown_route_404_and_wrong_method_405_in_the_error_shape) {
    server_process server;
    auto missing = http_request(server.port(), "DELETE", "/nothing-here");
    BOOST_TEST(missing.status == 404u);
    BOOST_TEST(missing.body.find(R"({"error":{"code":"not_found","message":)") == 0u);

    auto wrong = http_request(server.port(), "POST", "/metrics", "{}");
    BOOST_TEST(wrong.status == 405u);
    BOOST_TEST(wrong.header("allow") == "GET, HEAD");
    BOOST_TEST(wrong.body.find(R"("code":"method_not_allowed")") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(static_files_with_mime_types_and_validators) {
    web_root web;
    server_process server({"--web-root", web.root.string()});

    auto index = http_request(server.port(), "GET", "/");
    BOOST_TEST(index.status == 200u);
    BOOST_TEST(index.body == "<!doctype html><title>console</title>");
    BOOST_TEST(index.header("content-type") == "text/html; charset=utf-8");
    BOOST_TEST(index.header("content-security-policy").find("default-src 'self'") != std::string::npos);
    BOOST_TEST(!index.header("last-modified").empty());

    auto js = http_request(server.port(), "GET", "/js/app.js");
    BOOST_TEST(js.status == 200u);
    BOOST_TEST(js.header("content-type") == "text/javascript; charset=utf-8");
    auto etag = js.header("etag");
    BOOST_TEST(!etag.empty());

    auto again = http_request(server.port(), "GET", "/js/app.js", {}, {{"If-None-Match", etag}});
    BOOST_TEST(again.status == 304u);
    BOOST_TEST(again.body.empty());

    BOOST_TEST(http_request(server.port(), "GET", "/js/missing.js").status == 404u);
}

BOOST_AUTO_TEST_CASE(the_shipped_console_is_served_by_default) {
    server_process server;
    auto index = http_request(server.port(), "GET", "/");
    BOOST_TEST(index.status == 200u);
    BOOST_TEST(index.body.find("Switchboard") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(no_path_leads_out_of_the_web_root) {
    web_root web;
    server_process server({"--web-root", web.root.string()});
    for (auto target : {"/../secret.txt", "/js/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt",
                        "/js/%2e%2e/%2e%2e/secret.txt", "/link.txt", "/..%5csecret.txt", "/%00", "//secret.txt",
                        "/..;/secret.txt"}) {
        BOOST_TEST_INFO("target " << target);
        auto res = http_request(server.port(), "GET", target);
        BOOST_TEST(res.status == 404u);
        BOOST_TEST(res.body.find("TOP-SECRET") == std::string::npos);
    }
    // An absolute URI as the request target is not a way out either.
    auto absolute = http_request(server.port(), "GET", (web.dir.path() / "secret.txt").string());
    BOOST_TEST(absolute.body.find("TOP-SECRET") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(oversized_body_gets_413_before_the_close) {
    server_process server({"--max-body", "1024"});
    test_connection c(server.port());
    std::string body(200 * 1024, 'x');
    c.send_raw("POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body);
    auto res = c.read_response();
    BOOST_TEST(res.status == 413u);
    BOOST_TEST(res.body.find(R"("code":"body_too_large")") != std::string::npos);
    BOOST_TEST(!res.keep_alive);
    BOOST_TEST(c.closed_by_server(5s));

    // A chunked body that grows past the limit is caught while it is read.
    test_connection chunked(server.port());
    std::string chunk(800, 'y');
    chunked.send_raw("POST /healthz HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n" + chunk +
                     "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n");
    BOOST_TEST(chunked.read_response().status == 413u);

    auto metrics = http_request(server.port(), "GET", "/metrics").body;
    BOOST_TEST(metric_value(metrics, R"(switchboard_rejections_total{reason="body_too_large"})") == 2);
}

BOOST_AUTO_TEST_CASE(a_body_at_the_limit_is_accepted) {
    server_process server({"--max-body", "1024"});
    // Reaches the route (which then says 405): the limit is inclusive.
    auto res = http_request(server.port(), "POST", "/healthz", std::string(1024, 'x'));
    BOOST_TEST(res.status == 405u);
}

BOOST_AUTO_TEST_CASE(oversized_headers_get_431) {
    server_process server;
    test_connection c(server.port());
    c.send_raw("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(32 * 1024, 'h') + "\r\n\r\n");
    auto res = c.read_response();
    BOOST_TEST(res.status == 431u);
    BOOST_TEST(res.body.find(R"("code":"header_too_large")") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(malformed_request_gets_400) {
    server_process server;
    test_connection c(server.port());
    c.send_raw("THIS IS NOT HTTP\r\n\r\n");
    auto res = c.read_response();
    BOOST_TEST(res.status == 400u);
    BOOST_TEST(res.body.find(R"("code":"malformed_http")") != std::string::npos);
    // And the server is still there.
    BOOST_TEST(http_request(server.port(), "GET", "/healthz").status == 200u);
}

BOOST_AUTO_TEST_CASE(keep_alive_reuses_one_connection_and_pipelining_keeps_order) {
    server_process server;
    test_connection c(server.port());
    auto before = metric_value(c.request("GET", "/metrics").body, "switchboard_http_connections_total");
    for (int i = 0; i < 5; ++i) {
        auto res = c.request("GET", "/healthz");
        BOOST_TEST(res.status == 200u);
        BOOST_TEST(res.keep_alive);
    }
    // Two requests in one write: two answers, in order.
    c.send_raw("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\nGET /nope-pipelined HTTP/1.1\r\nHost: t\r\n\r\n");
    BOOST_TEST(c.read_response().status == 200u);
    BOOST_TEST(c.read_response().status == 404u);
    auto after = metric_value(c.request("GET", "/metrics").body, "switchboard_http_connections_total");
    BOOST_TEST(before == 1);
    BOOST_TEST(after == 1);
}

BOOST_AUTO_TEST_CASE(slow_headers_are_dropped) {
    server_process server({"--header-timeout", "1"});
    test_connection slow(server.port());
    slow.send_raw("GET /healthz HTTP/1.1\r\nHost: t\r\n");  // and never the blank line
    BOOST_TEST(slow.closed_by_server(10s));

    test_connection silent(server.port());  // connects and sends nothing at all
    BOOST_TEST(silent.closed_by_server(10s));

    // The deadline closes the socket before the count is made: wait for it.
    BOOST_TEST(wait_for_metric(server.port(), R"(switchboard_rejections_total{reason="header_timeout"})", 2) == 2);
}

BOOST_AUTO_TEST_CASE(a_later_requests_headers_have_the_header_timeout_too) {
    // The keep-alive wait is a minute; the headers, once begun, get a second.
    server_process server({"--header-timeout", "1"});
    test_connection c(server.port());
    BOOST_TEST(c.request("GET", "/healthz").status == 200u);
    c.send_raw("GET /healthz HTTP/1.1\r\nHost: t\r\n");  // and never the blank line
    BOOST_TEST(c.closed_by_server(10s));
    BOOST_TEST(wait_for_metric(server.port(), R"(switchboard_rejections_total{reason="header_timeout"})", 1) == 1);
}

BOOST_AUTO_TEST_CASE(a_slow_body_is_dropped_and_counted_as_such) {
    // The headers are all in; the body stops a tenth of the way.
    server_process server({"--body-timeout", "1"});
    test_connection slow(server.port());
    slow.send_raw("POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                  "{\"from\":\"4");
    BOOST_TEST(slow.closed_by_server(10s));
    BOOST_TEST(wait_for_metric(server.port(), R"(switchboard_rejections_total{reason="body_timeout"})", 1) == 1);
    BOOST_TEST(read_metric(server.port(), R"(switchboard_rejections_total{reason="header_timeout"})") == -1);
    BOOST_TEST(http_request(server.port(), "GET", "/healthz").status == 200u);
}

// --write-timeout bounds a wait for progress, not the whole answer: 16 MB
// taken a megabyte every 200 ms (about 3 s, against a timeout of 1 s) is
// served whole, as a large file over a slow link is.
BOOST_AUTO_TEST_CASE(a_client_that_takes_a_large_answer_slowly_but_steadily_gets_it_all) {
    namespace net = boost::asio;
    using tcp = net::ip::tcp;
    web_root web;
    std::ofstream(web.root / "big.txt", std::ios::binary) << std::string(16u << 20, 'x');
    server_process server({"--web-root", web.root.string(), "--write-timeout", "1"});
    net::io_context ioc;
    tcp::socket s(ioc);
    s.open(tcp::v4());
    s.set_option(net::socket_base::receive_buffer_size(64 * 1024));  // the server waits on us, not our buffer
    s.connect({net::ip::make_address("127.0.0.1"), server.port()});
    net::write(s, net::buffer(std::string("GET /big.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")));
    auto started = std::chrono::steady_clock::now();
    std::size_t total = 0;
    std::vector<char> chunk(1u << 20);
    for (boost::system::error_code ec; !ec;) {
        std::size_t got = 0;
        while (got < chunk.size() && !ec) got += s.read_some(net::buffer(chunk.data() + got, chunk.size() - got), ec);
        total += got;
        if (!ec) std::this_thread::sleep_for(200ms);  // the pace of a slow link, not a wait for the server
    }
    BOOST_TEST(total > (16u << 20));  // the whole body, after its headers
    BOOST_TEST((std::chrono::steady_clock::now() - started > 2s));  // it did take longer than the timeout
    BOOST_TEST(read_metric(server.port(), R"(switchboard_rejections_total{reason="write_timeout"})") == -1);
}

BOOST_AUTO_TEST_CASE(a_client_that_does_not_take_its_answer_is_dropped) {
    // Four pipelined answers of 16 MB, the largest static file, are more
    // than loopback's socket buffers hold on both sides (32 MB and 4 MB at
    // most here), so the server's write has to wait for a reader that never comes.
    web_root web;
    std::ofstream(web.root / "big.txt", std::ios::binary) << std::string(16u << 20, 'x');
    server_process server({"--web-root", web.root.string(), "--write-timeout", "1"});
    test_connection c(server.port());
    std::string request = "GET /big.txt HTTP/1.1\r\nHost: t\r\n\r\n";
    c.send_raw(request + request + request + request);  // and never reads
    BOOST_TEST(wait_for_metric(server.port(), R"(switchboard_rejections_total{reason="write_timeout"})", 1) == 1);
    // Only the probe's own connection is left open.
    BOOST_TEST(wait_for_metric_at_most(server.port(), "switchboard_http_open_connections", 1) <= 1);
    BOOST_TEST(http_request(server.port(), "GET", "/healthz").status == 200u);
}

BOOST_AUTO_TEST_CASE(an_error_answer_lingers_no_longer_than_the_linger_time) {
    // Every other deadline here is 10 s or more: closing within 5 s shows the
    // linger's 1 s deadline holds even though it is the shortest of all.
    server_process server({"--max-body", "1024"});
    test_connection c(server.port());
    c.send_raw("POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 4096\r\n\r\n" + std::string(4096, 'x'));
    BOOST_TEST(c.read_response().status == 413u);
    // The client keeps its side open and silent: only the deadline ends it.
    BOOST_TEST(wait_for_metric_at_most(server.port(), "switchboard_http_open_connections", 1, 5s) <= 1);
}

BOOST_AUTO_TEST_CASE(a_request_that_expects_100_continue_is_told_to_send_its_body) {
    server_process server;
    test_connection c(server.port());
    std::string body = R"({"from":"4155550100","text":"hello","id":"continue-1"})";
    c.send_raw("POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
               "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n");
    BOOST_TEST(c.read_response().status == 100u);  // the body is not sent until the server asks
    c.send_raw(body);
    BOOST_TEST(c.read_response().status == 200u);
}

BOOST_AUTO_TEST_CASE(an_answer_larger_than_the_sockets_buffer_arrives_whole) {
    // Answers are written at once on a non-blocking socket; 12 MB cannot fit
    // the kernel's buffers, so the rest must follow when the socket drains.
    web_root web;
    std::string big(12u << 20, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + (i * 7919 + i / 4096) % 26);
    std::ofstream(web.root / "big.txt", std::ios::binary) << big;
    server_process server({"--web-root", web.root.string()});
    test_connection c(server.port());
    for (int i = 0; i < 2; ++i) {  // and the connection is fit for the next request
        auto res = c.request("GET", "/big.txt");
        BOOST_TEST(res.status == 200u);
        BOOST_TEST(res.body.size() == big.size());
        BOOST_TEST((res.body == big));
    }
}

BOOST_AUTO_TEST_CASE(a_request_that_arrives_in_pieces_is_read_whole) {
    // Requests are parsed from what the socket has at once, and wait for the
    // rest only when the kernel has no more: a request cut anywhere, within
    // its headers or its body, behind an answered one on the same connection.
    server_process server;
    test_connection c(server.port());
    auto webhook_with_id = [](char id) {
        std::string body = R"({"from":"4155550101","text":"hello","id":"pieces-)" + std::string(1, id) + R"("})";
        return "POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body;
    };
    auto first = webhook_with_id('a');
    auto body_at = first.find("\r\n\r\n") + 4;
    char id = 'a';
    for (std::size_t cut : {std::size_t{5}, first.find("Content-Type"), body_at + 7}) {
        auto res = send_in_two_pieces(c, webhook_with_id(id++), cut);
        BOOST_TEST(res.status == 200u);
        BOOST_TEST(res.body.find("\"state\"") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(a_chunked_body_that_arrives_in_pieces_is_read_whole) {
    // The same for a body in chunks, cut inside its second chunk's data.
    server_process server;
    test_connection c(server.port());
    std::string body = R"({"from":"4155550102","text":"hello","id":"pieces-chunked"})";
    auto first = body.substr(0, 20), second = body.substr(20);
    auto hex = [](std::size_t n) {
        std::ostringstream o;
        o << std::hex << n;
        return o.str();
    };
    std::string webhook = "POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n" +
                          hex(first.size()) + "\r\n" + first + "\r\n" + hex(second.size()) + "\r\n" + second +
                          "\r\n0\r\n\r\n";
    auto cut = webhook.size() - second.size() + 5 - 7;  // five bytes into the second chunk's data
    auto res = send_in_two_pieces(c, webhook, cut);
    BOOST_TEST(res.status == 200u);
    BOOST_TEST(res.body.find("\"state\":\"IDLE\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(idle_keep_alive_connections_are_closed) {
    server_process server({"--keepalive-timeout", "1"});
    test_connection c(server.port());
    BOOST_TEST(c.request("GET", "/healthz").status == 200u);
    BOOST_TEST(c.closed_by_server(10s));
}

BOOST_AUTO_TEST_SUITE_END()
