#include "metrics_probe.hpp"

#include "http_client.hpp"

#include "switchboard/core/metrics.hpp"

#include <stdexcept>
#include <thread>

namespace switchboard::test {

double metric_value(const std::string& metrics_text, const std::string& series) {
    return metrics::sample_value(metrics_text, series).value_or(-1);
}

double read_metric(unsigned short port, const std::string& series) {
    return metric_value(http_request(port, "GET", "/metrics").body, series);
}

namespace {

template <class Done>
double poll_metric(unsigned short port, const std::string& series, double value, std::chrono::milliseconds timeout,
                   Done done) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto v = read_metric(port, series);
        if (done(v)) return v;
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error(series + " is " + std::to_string(v) + ", waited for " + std::to_string(value));
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a poll interval, not a synchronisation
    }
}

}  // namespace

double wait_for_metric(unsigned short port, const std::string& series, double value,
                       std::chrono::milliseconds timeout) {
    return poll_metric(port, series, value, timeout, [&](double v) { return v >= value; });
}

double wait_for_metric_at_most(unsigned short port, const std::string& series, double value,
                               std::chrono::milliseconds timeout) {
    return poll_metric(port, series, value, timeout, [&](double v) { return v >= 0 && v <= value; });
}

}  // namespace switchboard::test
