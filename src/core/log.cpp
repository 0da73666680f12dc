// The logger: each line is built whole and written with one call, so lines
// from different threads never interleave.
#include "switchboard/core/log.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <unistd.h>

namespace switchboard::log {

namespace {
std::atomic<level> min_level{level::info};
std::atomic<format> out_format{format::text};

constexpr std::string_view level_names[] = {"debug", "info", "warn", "error"};
}  // namespace

std::optional<level> level_from_string(std::string_view s) {
    for (int i = 0; i < 4; ++i)
        if (level_names[i] == s) return static_cast<level>(i);
    return std::nullopt;
}

std::optional<format> format_from_string(std::string_view s) {
    if (s == "text") return format::text;
    if (s == "json") return format::json;
    return std::nullopt;
}

void configure(level l, format f) {
    min_level = l;
    out_format = f;
}

bool enabled(level l) { return l >= min_level.load(std::memory_order_relaxed); }

std::string iso8601_now() {
    auto now = std::chrono::system_clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
    return buf;
}

void write(level l, std::string_view message, std::initializer_list<field> fields) {
    if (!enabled(l)) return;
    std::string line;
    if (out_format.load(std::memory_order_relaxed) == format::json) {
        boost::json::object o;
        o["ts"] = iso8601_now();
        o["level"] = level_names[static_cast<int>(l)];
        o["msg"] = message;
        for (auto& [k, v] : fields) o[k] = v;
        line = boost::json::serialize(o);
    } else {
        line = iso8601_now() + ' ' + std::string(level_names[static_cast<int>(l)]) + ' ' + std::string(message);
        for (auto& [k, v] : fields) {
            line += ' ';
            line += k;
            line += '=';
            bool quote = v.empty() || v.find_first_of(" \"=") != std::string::npos;
            if (quote) line += '"';
            line += v;
            if (quote) line += '"';
        }
    }
    line += '\n';
    // One write(2) per line: atomic with respect to other threads' lines.
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace switchboard::log
