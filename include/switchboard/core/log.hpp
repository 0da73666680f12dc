// Logging to stderr, one line per event, as text or JSON.
#pragma once

#include <exception>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace switchboard::log {

enum class level { debug, info, warn, error };
enum class format { text, json };

std::optional<level> level_from_string(std::string_view s);
std::optional<format> format_from_string(std::string_view s);

void configure(level min_level, format fmt);
bool enabled(level l);

using field = std::pair<std::string_view, std::string>;
void write(level l, std::string_view message, std::initializer_list<field> fields = {});
void write_fields(level l, std::string_view message, std::span<const field> fields);

inline void debug(std::string_view m, std::initializer_list<field> f = {}) { write(level::debug, m, f); }
inline void info(std::string_view m, std::initializer_list<field> f = {}) { write(level::info, m, f); }
inline void warn(std::string_view m, std::initializer_list<field> f = {}) { write(level::warn, m, f); }
inline void error(std::string_view m, std::initializer_list<field> f = {}) { write(level::error, m, f); }

// Logs what a finished coroutine threw, if anything: the completion handler
// of every co_spawn that has no one waiting for its result.
void failure(std::string_view what, std::exception_ptr e, level l = level::error);
// What `e` (not null) says: its what(), or "unknown exception".
std::string error_text(std::exception_ptr e);

// ISO-8601 UTC with milliseconds and a `Z`, the one timestamp format of the project.
std::string iso8601_now();

}  // namespace switchboard::log
