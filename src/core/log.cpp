// The logger: each line is built whole and written with one call, so lines
// from different threads never interleave.
#include "switchboard/core/log.hpp"

#include "switchboard/core/time.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
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

std::string iso8601_now() { return to_iso8601(std::chrono::system_clock::now()); }

void failure(std::string_view what, std::exception_ptr e, level l) {
    if (e) write(l, what, {{"error", error_text(e)}});
}

std::string error_text(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        return ex.what();
    } catch (...) {
        return "unknown exception";
    }
}

void write(level l, std::string_view message, std::initializer_list<field> fields) {
    write_fields(l, message, {fields.begin(), fields.size()});
}

void write_fields(level l, std::string_view message, std::span<const field> fields) {
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
