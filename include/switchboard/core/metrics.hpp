// A small Prometheus-style metrics registry: counters, gauges and histograms
// with labels, rendered in the text exposition format for GET /metrics.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::metrics {

// Label pairs in a fixed order, e.g. {{"route","/healthz"},{"status","200"}}.
using labels = std::vector<std::pair<std::string, std::string>>;

class counter {
public:
    void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

class gauge {
public:
    void set(double v) { value_.store(v, std::memory_order_relaxed); }
    void add(double d);
    double value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0};
};

class histogram {
public:
    explicit histogram(std::vector<double> upper_bounds);
    void observe(double v);
    const std::vector<double>& bounds() const { return bounds_; }
    // Cumulative counts per bound, then +Inf; and the sum.
    std::vector<std::uint64_t> cumulative_counts() const;
    double sum() const { return sum_.load(std::memory_order_relaxed); }

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1
    std::atomic<double> sum_{0};
};

class registry {
public:
    // Each returns the one metric for (name, labels), created on first use;
    // the reference stays valid for the registry's lifetime.
    counter& get_counter(std::string_view name, std::string_view help, const labels& l = {});
    gauge& get_gauge(std::string_view name, std::string_view help, const labels& l = {});
    histogram& get_histogram(std::string_view name, std::string_view help, std::vector<double> bounds,
                             const labels& l = {});

    std::string render() const;

private:
    enum class kind { counter, gauge, histogram };
    struct family {
        kind type;
        std::string help;
        std::map<std::string, std::unique_ptr<counter>> counters;
        std::map<std::string, std::unique_ptr<gauge>> gauges;
        std::map<std::string, std::unique_ptr<histogram>> histograms;
    };
    family& family_for(std::string_view name, std::string_view help, kind type);

    mutable std::mutex mutex_;
    std::map<std::string, family, std::less<>> families_;
};

// The value of one sample line in a rendered text: `series` is the name with
// its labels as render() writes them (`name{k="v"}`), matched whole, so
// `name` finds neither `name_total` nor the `# HELP name` line.
std::optional<double> sample_value(std::string_view text, std::string_view series);

// switchboard_rejections_total{reason}: every rejection of bad input in one
// series (SPEC §6), the HTTP server's and the agents' sockets' alike.
counter& rejections(registry& r, std::string_view reason);

// Latency buckets in seconds, 100 µs to 10 s.
std::vector<double> latency_buckets();

}  // namespace switchboard::metrics
