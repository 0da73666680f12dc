// The media fetcher's memory of the files opened last, against a local
// stand-in for the Graph API: a file asked for again is not fetched again,
// and what is kept stays within its bound, the least recently opened going
// first. Two askers for one file at once share one fetch.
#include "switchboard/channels/media.hpp"
#include "switchboard/core/metrics.hpp"

#include "receiver.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

namespace net = boost::asio;
using namespace switchboard;

namespace {

net::awaitable<void> fetch_into(channels::media_fetcher& media, std::string id, channels::fetched_media& out) {
    out = co_await media.fetch(std::move(id));
}

struct graph_stand_in {
    test::receiver graph;
    net::io_context ioc;
    metrics::registry metrics;
    channels::media_fetcher media;

    explicit graph_stand_in(std::uint64_t cache_bytes)
        : media(ioc, metrics, [&] {
              channels::media_options o;
              o.wa_api_base = graph.url();
              o.cache_bytes = cache_bytes;
              return o;
          }()) {}

    // The file `id` of `size` bytes, scripted in case it is asked for.
    channels::fetched_media open(const std::string& id, std::size_t size) {
        graph.script({{200, R"({"url":")" + graph.url() + "/files/" + id + R"("})", {}},
                      {200, std::string(size, id[0]), {}}});
        channels::fetched_media out;
        net::co_spawn(ioc, fetch_into(media, id, out), net::detached);
        ioc.restart();
        ioc.run();
        graph.script({});
        return out;
    }
    std::size_t asked() const { return graph.requests().size(); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(media_cache)

BOOST_AUTO_TEST_CASE(the_files_opened_last_are_kept_up_to_the_bound) {
    graph_stand_in g(50);
    BOOST_TEST(*g.open("a", 20).bytes == std::string(20, 'a'));
    BOOST_TEST(g.asked() == 2u);
    BOOST_TEST(*g.open("a", 20).bytes == std::string(20, 'a'));  // kept
    BOOST_TEST(g.asked() == 2u);
    g.open("b", 20);
    g.open("c", 20);  // 60 bytes: "a", opened least recently, goes
    BOOST_TEST(g.asked() == 6u);
    BOOST_TEST(*g.open("b", 20).bytes == std::string(20, 'b'));
    BOOST_TEST(g.asked() == 6u);
    BOOST_TEST(*g.open("a", 20).bytes == std::string(20, 'a'));  // fetched again
    BOOST_TEST(g.asked() == 8u);
    // A file larger than the whole bound is passed on, not kept.
    BOOST_TEST(g.open("z", 51).bytes->size() == 51u);
    g.open("z", 51);
    BOOST_TEST(g.asked() == 12u);
}

// Both asked for before the first is in: one fetch, both answered by it.
BOOST_AUTO_TEST_CASE(a_file_asked_for_twice_at_once_is_fetched_once) {
    graph_stand_in g(1000);
    g.graph.script({{200, R"({"url":")" + g.graph.url() + R"(/files/v"})", {}}, {200, "voice", {}}});
    channels::fetched_media first, second;
    net::co_spawn(g.ioc, fetch_into(g.media, "v", first), net::detached);
    net::co_spawn(g.ioc, fetch_into(g.media, "v", second), net::detached);
    g.ioc.run();
    BOOST_TEST_REQUIRE(first.bytes, first.error);
    BOOST_TEST_REQUIRE(second.bytes, second.error);
    BOOST_TEST(*second.bytes == "voice");
    BOOST_TEST(g.asked() == 2u);  // the URL and the file, once
    BOOST_TEST(metrics::sample_value(g.metrics.render(), "switchboard_media_cache_hits_total").value_or(0) == 1.0);
}

BOOST_AUTO_TEST_SUITE_END()
