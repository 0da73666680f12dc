#include "switchboard/core/json_text.hpp"

#include <boost/json/value.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace switchboard {

namespace {

bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

#if defined(__SSE2__)
// One bit per byte of p[0..16) that needs escaping.
int escape_mask16(const char* p) {
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), control_max = _mm_set1_epi8(0x1f);
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Unsigned v <= 0x1f exactly when max(v, 0x1f) == 0x1f.
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                               _mm_cmpeq_epi8(_mm_max_epu8(v, control_max), control_max));
    return _mm_movemask_epi8(hit);
}
#endif

// The index of the first byte from `i` on that needs escaping, or s.size().
// Event texts are long and rarely need it: 16 bytes at a time where SSE2 is there.
std::size_t next_escape(std::string_view s, std::size_t i) {
#if defined(__SSE2__)
    for (; i + 16 <= s.size(); i += 16)
        if (int mask = escape_mask16(s.data() + i)) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
#endif
    for (; i < s.size(); ++i)
        if (needs_escape(static_cast<unsigned char>(s[i]))) return i;
    return s.size();
}

// Whether any byte of an 8-byte word needs escaping (exact, as a yes or no:
// the bit tricks' false positives only follow a true one).
bool word_needs_escape(std::uint64_t x) {
    constexpr std::uint64_t ones = 0x0101010101010101, high = 0x8080808080808080;
    auto has_zero = [](std::uint64_t v) { return (v - ones) & ~v & high; };
    return ((x - ones * 0x20) & ~x & high) | has_zero(x ^ (ones * '"')) | has_zero(x ^ (ones * '\\'));
}

std::uint64_t load8(const char* p) {
    std::uint64_t x;
    std::memcpy(&x, p, 8);
    return x;
}

}  // namespace

// Whether `s` needs any escaping. Most strings in events are short (ids,
// phones, names of states): whole words at a time, the last one overlapping
// the one before, so no byte past the end is read.
bool needs_json_escape(std::string_view s) {
    const char* p = s.data();
    std::size_t n = s.size();
#if defined(__SSE2__)
    if (n >= 16) {
        for (std::size_t i = 0; i + 16 <= n; i += 16)
            if (escape_mask16(p + i)) return true;
        return escape_mask16(p + n - 16) != 0;
    }
#endif
    if (n >= 8) {
        for (std::size_t i = 0; i + 8 <= n; i += 8)
            if (word_needs_escape(load8(p + i))) return true;
        return word_needs_escape(load8(p + n - 8));
    }
    for (std::size_t i = 0; i < n; ++i)
        if (needs_escape(static_cast<unsigned char>(p[i]))) return true;
    return false;
}

void append_json_quoted(std::string& out, std::string_view s) {
    auto at = out.size();  // one append, then the text copied between its quotes
    out.append(s.size() + 2, '"');
    if (!s.empty()) std::memcpy(out.data() + at + 1, s.data(), s.size());
}

void append_json_string(std::string& out, std::string_view s) {
    if (!needs_json_escape(s)) return append_json_quoted(out, s);  // nearly always
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    std::size_t run = 0;  // start of the pending stretch that needs no escaping
    for (std::size_t i = next_escape(s, 0); i < s.size(); i = next_escape(s, i + 1)) {
        auto c = static_cast<unsigned char>(s[i]);
        out.append(s.data() + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    out.append(s.data() + run, s.size() - run);
    out += '"';
}

namespace {

void append_value(std::string& out, const boost::json::value& v) {
    switch (v.kind()) {
    case boost::json::kind::null:
        out += "null";
        break;
    case boost::json::kind::bool_:
        out += v.get_bool() ? "true" : "false";
        break;
    case boost::json::kind::int64:
        out += std::to_string(v.get_int64());
        break;
    case boost::json::kind::uint64:
        out += std::to_string(v.get_uint64());
        break;
    case boost::json::kind::double_: {
        double d = v.get_double();
        if (!std::isfinite(d)) {
            out += "null";
            break;
        }
        // The shortest text that reads back the same; in plain decimals where
        // they stay short (100000, not 1e+05), in exponent form beyond.
        char buf[64];
        auto magnitude = std::fabs(d);
        bool plain = magnitude == 0 || (magnitude >= 1e-6 && magnitude < 1e16);
        auto [end, ec] = plain ? std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed)
                               : std::to_chars(buf, buf + sizeof buf, d);  // 64 is room for either
        out.append(buf, end);
        break;
    }
    case boost::json::kind::string:
        append_json_string(out, v.get_string());
        break;
    case boost::json::kind::array: {
        out += '[';
        bool first = true;
        for (auto& e : v.get_array()) {
            if (!std::exchange(first, false)) out += ',';
            append_value(out, e);
        }
        out += ']';
        break;
    }
    case boost::json::kind::object: {
        out += '{';
        bool first = true;
        for (auto& [key, e] : v.get_object()) {
            if (!std::exchange(first, false)) out += ',';
            append_json_string(out, key);
            out += ':';
            append_value(out, e);
        }
        out += '}';
        break;
    }
    }
}

}  // namespace

std::string json_text(const boost::json::value& v) {
    std::string out;
    append_value(out, v);
    return out;
}

}  // namespace switchboard
