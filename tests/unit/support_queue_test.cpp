// The queue of chats waiting for an agent: positions through joins, leaves
// and returns to the head, and notices to the chats that move up, at most
// one a minute each, checked against a plain list that does the same.
#include "switchboard/chat/support_queue.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>

using namespace switchboard;
namespace net = boost::asio;

namespace {

struct queue_fixture {
    net::io_context ioc;
    chat::support_queue queue{net::make_strand(ioc)};

    template <class T>
    T run(net::awaitable<T> a) {
        auto f = net::co_spawn(ioc, std::move(a), net::use_future);
        ioc.restart();
        ioc.run();
        return f.get();
    }
    void run(net::awaitable<void> a) {
        auto f = net::co_spawn(ioc, std::move(a), net::use_future);
        ioc.restart();
        ioc.run();
        f.get();
    }
};

timestamp at(int s) { return from_unix_ms(1'700'000'000'000 + s * 1000LL); }

}  // namespace

BOOST_AUTO_TEST_SUITE(support_queue)

BOOST_FIXTURE_TEST_CASE(positions_follow_joins_leaves_and_returns_to_the_head, queue_fixture) {
    for (int i = 1; i <= 5; ++i) BOOST_TEST(run(queue.join("p" + std::to_string(i), at(i))) == std::size_t(i));
    BOOST_TEST(run(queue.join("p3", at(9))) == 3u);  // already waiting: stays where it is
    auto moved = run(queue.leave("p2"));
    BOOST_TEST_REQUIRE(moved.size() == 3u);  // those behind it, never told before
    BOOST_TEST(moved[0].phone == "p3");
    BOOST_TEST(moved[0].position == 2u);
    BOOST_TEST(moved[2].phone == "p5");
    BOOST_TEST(moved[2].position == 4u);
    BOOST_TEST(run(queue.leave("p3")).empty());  // told within the minute
    BOOST_TEST(run(queue.leave("p9")).empty());  // not waiting
    run(queue.join_front("p5", at(20)));
    run(queue.join_front("p7", at(21)));
    auto w = run(queue.front(std::nullopt, SIZE_MAX)).entries;
    std::vector<std::string> order;
    for (auto& e : w) order.push_back(e.phone);
    BOOST_TEST(order == (std::vector<std::string>{"p7", "p5", "p1", "p4"}), boost::test_tools::per_element());
    BOOST_TEST(run(queue.position("p4")).value_or(0) == 4u);
    BOOST_TEST(!run(queue.position("p2")).has_value());
    auto ps = run(queue.positions({"p1", "p2", "p7"}));
    BOOST_TEST(ps[0].value_or(0) == 3u);
    BOOST_TEST(!ps[1].has_value());
    BOOST_TEST(ps[2].value_or(0) == 1u);
    // p5 came back to the head, a new entry: due a notice again; p1 was
    // never told; p4 was, within the minute.
    auto after = run(queue.leave("p7"));
    BOOST_TEST_REQUIRE(after.size() == 2u);
    BOOST_TEST(after[0].phone == "p5");
    BOOST_TEST(after[0].position == 1u);
    BOOST_TEST(after[1].phone == "p1");
    BOOST_TEST(after[1].position == 2u);
}

// Pages from the head, as the console's queue view reads them: each page
// starts after the last place of the one before, so a leave between two
// pages neither repeats an entry nor skips one.
BOOST_FIXTURE_TEST_CASE(the_front_is_read_a_page_at_a_time_from_the_head, queue_fixture) {
    for (int i = 1; i <= 5; ++i) run(queue.join("p" + std::to_string(i), at(i)));
    run(queue.join_front("p0", at(6)));
    auto first = run(queue.front(std::nullopt, 2));
    BOOST_TEST(first.length == 6u);
    BOOST_TEST(first.more);
    BOOST_TEST_REQUIRE(first.entries.size() == 2u);
    BOOST_TEST(first.entries[0].phone == "p0");
    BOOST_TEST(first.entries[0].position == 1u);
    BOOST_TEST(first.entries[1].phone == "p1");
    BOOST_TEST(first.entries[1].position == 2u);

    run(queue.leave("p1"));  // read already
    run(queue.leave("p3"));  // not read yet
    auto second = run(queue.front(first.entries.back().place, 2));
    BOOST_TEST(second.length == 4u);
    BOOST_TEST_REQUIRE(second.entries.size() == 2u);
    BOOST_TEST(second.entries[0].phone == "p2");
    BOOST_TEST(second.entries[0].position == 2u);
    BOOST_TEST(second.entries[1].phone == "p4");
    BOOST_TEST(second.entries[1].position == 3u);
    BOOST_TEST(second.more);

    auto last = run(queue.front(second.entries.back().place, 2));
    BOOST_TEST_REQUIRE(last.entries.size() == 1u);
    BOOST_TEST(last.entries[0].phone == "p5");
    BOOST_TEST(last.entries[0].position == 4u);
    BOOST_TEST(!last.more);
    BOOST_TEST(run(queue.front(last.entries.back().place, 2)).entries.empty());
}

BOOST_FIXTURE_TEST_CASE(a_restored_queue_is_in_the_order_of_joining, queue_fixture) {
    queue.restore({{"b", at(2), std::nullopt}, {"c", at(3), std::nullopt}, {"a", at(1), std::nullopt}});
    BOOST_TEST(run(queue.position("a")).value_or(0) == 1u);
    BOOST_TEST(run(queue.position("c")).value_or(0) == 3u);
    BOOST_TEST(run(queue.join("d", at(4))) == 4u);
}

// Thousands of random steps against a plain list doing what the queue
// promises: every position, and every notice (within the minute, each
// chat is told once).
BOOST_FIXTURE_TEST_CASE(thousands_of_steps_match_a_plain_list, queue_fixture) {
    std::vector<std::string> model;
    std::set<std::string> told;
    std::uint64_t rng = 12345;
    auto next = [&] { return rng = rng * 6364136223846793005ull + 1442695040888963407ull, rng >> 33; };
    for (int step = 0; step < 4000; ++step) {
        auto phone = "u" + std::to_string(next() % 600);
        auto found = std::find(model.begin(), model.end(), phone);
        auto kind = next() % 10;
        if (kind < 5) {
            auto pos = run(queue.join(phone, at(step)));
            if (found == model.end()) {
                model.push_back(phone);
                BOOST_TEST(pos == model.size());
            } else {
                BOOST_TEST(pos == std::size_t(found - model.begin() + 1));
            }
        } else if (kind < 9) {
            auto moved = run(queue.leave(phone));
            std::vector<chat::support_queue::moved> expected;
            if (found != model.end()) {
                auto index = found - model.begin();
                model.erase(found);
                told.erase(phone);
                for (auto i = std::size_t(index); i < model.size(); ++i)
                    if (told.insert(model[i]).second) expected.push_back({model[i], i + 1});
            }
            BOOST_TEST_REQUIRE(moved.size() == expected.size(), "step " << step);
            for (std::size_t i = 0; i < moved.size(); ++i) {
                BOOST_TEST(moved[i].phone == expected[i].phone);
                BOOST_TEST(moved[i].position == expected[i].position);
            }
        } else {
            run(queue.join_front(phone, at(step)));
            if (found != model.end()) model.erase(found);
            told.erase(phone);
            model.insert(model.begin(), phone);
        }
        if (step % 97 == 0) {
            auto w = run(queue.front(std::nullopt, SIZE_MAX)).entries;
            BOOST_TEST_REQUIRE(w.size() == model.size());
            for (std::size_t i = 0; i < w.size(); ++i) BOOST_TEST(w[i].phone == model[i]);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
