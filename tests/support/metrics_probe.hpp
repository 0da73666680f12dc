// Reading the server's /metrics in tests.
#pragma once

#include <chrono>
#include <string>

namespace switchboard::test {

// The value of one sample line (`name{labels}`), or -1 when absent.
double metric_value(const std::string& metrics_text, const std::string& series);
double read_metric(unsigned short port, const std::string& series);
// Polls /metrics until the series reaches at least `value`; throws after `timeout`.
// For outcomes that happen after the HTTP answer (outbox deliveries, idle expiry).
double wait_for_metric(unsigned short port, const std::string& series, double value,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));
// The same, until the series is at most `value` (gauges that go down).
double wait_for_metric_at_most(unsigned short port, const std::string& series, double value,
                               std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace switchboard::test
