#include "switchboard/core/metrics.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <thread>
#include <vector>

using namespace switchboard::metrics;

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(counters_render_with_labels) {
    registry r;
    r.get_counter("x_total", "things", {{"route", "/a"}, {"status", "200"}}).inc(3);
    r.get_counter("x_total", "things", {{"route", "/a"}, {"status", "200"}}).inc();
    r.get_counter("x_total", "things", {{"route", "/b\"q"}}).inc();
    auto text = r.render();
    BOOST_TEST(text.find("# HELP x_total things\n# TYPE x_total counter\n") != std::string::npos);
    BOOST_TEST(text.find("x_total{route=\"/a\",status=\"200\"} 4\n") != std::string::npos);
    BOOST_TEST(text.find("x_total{route=\"/b\\\"q\"} 1\n") != std::string::npos);
}

// What render() wrote reads back by whole series: a name is not its longer
// twin's prefix, nor the name in its HELP line.
BOOST_AUTO_TEST_CASE(a_sample_reads_back_by_its_whole_series) {
    registry r;
    r.get_gauge("things", "how many").set(7);
    r.get_counter("things_total", "made").inc(3);
    r.get_counter("x_total", "things", {{"route", "/a"}}).inc(2);
    auto text = r.render();
    BOOST_TEST(sample_value(text, "things").value_or(-1) == 7);
    BOOST_TEST(sample_value(text, "things_total").value_or(-1) == 3);
    BOOST_TEST(sample_value(text, "x_total{route=\"/a\"}").value_or(-1) == 2);
    BOOST_TEST(!sample_value(text, "x_total"));
    BOOST_TEST(!sample_value(text, "thing"));
}

BOOST_AUTO_TEST_CASE(histogram_buckets_are_cumulative) {
    registry r;
    auto& h = r.get_histogram("lat_seconds", "latency", {0.1, 1.0});
    h.observe(0.05);
    h.observe(0.5);
    h.observe(5);
    auto text = r.render();
    BOOST_TEST(text.find("lat_seconds_bucket{le=\"0.1\"} 1\n") != std::string::npos);
    BOOST_TEST(text.find("lat_seconds_bucket{le=\"1\"} 2\n") != std::string::npos);
    BOOST_TEST(text.find("lat_seconds_bucket{le=\"+Inf\"} 3\n") != std::string::npos);
    BOOST_TEST(text.find("lat_seconds_count 3\n") != std::string::npos);
    BOOST_TEST(text.find("lat_seconds_sum 5.5") != std::string::npos);
}

// Counters and histograms are shared by the io threads: every count,
// bucket and sum from many threads at once adds up.
BOOST_AUTO_TEST_CASE(counts_from_many_threads_add_up) {
    registry r;
    auto& c = r.get_counter("n_total", "n");
    auto& h = r.get_histogram("d_seconds", "d", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    const int n = 19;
    std::vector<std::thread> threads;
    for (int t = 0; t < n; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 1000; ++i) {
                c.inc(2);
                h.observe(t % 12);  // 0 … 11: the first bucket to +Inf
            }
        });
    for (auto& t : threads) t.join();
    BOOST_TEST(c.value() == 2000u * n);
    auto counts = h.cumulative_counts();
    BOOST_REQUIRE(counts.size() == 11u);
    for (std::size_t b = 0; b < counts.size(); ++b) {
        std::uint64_t expected = 0;  // threads whose value is within bucket b's bound
        for (int t = 0; t < n; ++t) expected += (b == 10 || t % 12 <= static_cast<int>(b) + 1) ? 1000 : 0;
        BOOST_TEST(counts[b] == expected, "bucket " << b);
    }
    double sum = 0;
    for (int t = 0; t < n; ++t) sum += 1000.0 * (t % 12);
    BOOST_TEST(h.sum() == sum);
    BOOST_TEST(r.render().find("n_total " + std::to_string(2000 * n) + "\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(one_name_one_type) {
    registry r;
    r.get_counter("m", "help");
    BOOST_CHECK_THROW(r.get_gauge("m", "help"), std::logic_error);
}

BOOST_AUTO_TEST_SUITE_END()
