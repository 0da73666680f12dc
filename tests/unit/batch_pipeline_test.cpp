// The reader/filer pipeline the SQLite store fills its indexes with at open
// (src/store/batch_pipeline.hpp): every batch in order, and an exception on
// either side comes out of the call instead of ending the process or
// leaving the other side waiting.
#include "../../src/store/batch_pipeline.hpp"

#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace {

using switchboard::store::run_batch_pipeline;
using batch = std::vector<int>;

constexpr int batches = 1000;
constexpr std::size_t queued_max = 4;

}  // namespace

BOOST_AUTO_TEST_SUITE(batch_pipeline)

BOOST_AUTO_TEST_CASE(every_batch_is_consumed_in_order) {
    std::vector<int> seen;
    run_batch_pipeline<batch>(
        "sb-test", queued_max,
        [](auto emit) {
            for (int i = 0; i < batches; ++i) emit(batch{2 * i, 2 * i + 1});
        },
        [&](batch& b) { seen.insert(seen.end(), b.begin(), b.end()); });
    BOOST_REQUIRE_EQUAL(seen.size(), 2u * batches);
    for (int i = 0; i < 2 * batches; ++i) BOOST_REQUIRE_EQUAL(seen[i], i);
}

BOOST_AUTO_TEST_CASE(a_consumer_that_throws_stops_the_producer_and_its_error_comes_out) {
    int produced = 0;
    int consumed = 0;
    try {
        run_batch_pipeline<batch>(
            "sb-test", queued_max,
            [&](auto emit) {
                for (int i = 0; i < batches; ++i, ++produced) emit(batch{i});
            },
            [&](batch& b) {
                if (b.front() == 2) throw std::runtime_error("filing failed at batch 2");
                ++consumed;
            });
        BOOST_FAIL("the consumer's exception did not come out");
    } catch (const std::runtime_error& e) {
        BOOST_TEST(std::string(e.what()) == "filing failed at batch 2");
    }
    BOOST_TEST(consumed == 2);
    // The producer stopped once the queue had no room: it never ran ahead by more than the queue.
    BOOST_TEST(produced <= 3 + static_cast<int>(queued_max) + 1);
}

BOOST_AUTO_TEST_CASE(a_producer_that_throws_has_its_error_come_out_after_what_it_queued_is_consumed) {
    std::vector<int> seen;
    try {
        run_batch_pipeline<batch>(
            "sb-test", queued_max,
            [](auto emit) {
                for (int i = 0; i < 10; ++i) emit(batch{i});
                throw std::runtime_error("reading failed after batch 9");
            },
            [&](batch& b) { seen.push_back(b.front()); });
        BOOST_FAIL("the producer's exception did not come out");
    } catch (const std::runtime_error& e) {
        BOOST_TEST(std::string(e.what()) == "reading failed after batch 9");
    }
    BOOST_TEST(seen.size() == 10u);
}

BOOST_AUTO_TEST_SUITE_END()
