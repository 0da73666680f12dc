#include "switchboard/chat/conversation.hpp"

#include <array>

namespace switchboard::chat {

namespace {

template <class E, std::size_t N>
std::optional<E> lookup(const std::array<std::string_view, N>& names, std::string_view s) {
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == s) return static_cast<E>(i);
    return std::nullopt;
}

constexpr std::array<std::string_view, 4> state_names{"IDLE", "REGISTERING", "CHAT_SUPPORT_ACTIVE", "RATING"};
constexpr std::array<std::string_view, 3> sender_names{"user", "admin", "bot"};
constexpr std::array<std::string_view, 5> status_names{"received", "sent", "delivered", "read", "failed"};
constexpr std::array<std::string_view, 2> channel_names{"plain", "whatsapp"};

}  // namespace

std::string_view to_string(conv_state s) { return state_names[static_cast<std::size_t>(s)]; }
std::string_view to_string(sender s) { return sender_names[static_cast<std::size_t>(s)]; }
std::string_view to_string(message_status s) { return status_names[static_cast<std::size_t>(s)]; }
std::string_view to_string(channel c) { return channel_names[static_cast<std::size_t>(c)]; }
std::optional<conv_state> conv_state_from_string(std::string_view s) { return lookup<conv_state>(state_names, s); }
std::optional<sender> sender_from_string(std::string_view s) { return lookup<sender>(sender_names, s); }
std::optional<message_status> message_status_from_string(std::string_view s) {
    return lookup<message_status>(status_names, s);
}
std::optional<channel> channel_from_string(std::string_view s) { return lookup<channel>(channel_names, s); }

bool status_may_advance(message_status current, message_status next) {
    if (current == message_status::failed) return false;
    if (next == message_status::failed) return current == message_status::received || current == message_status::sent;
    return static_cast<int>(next) > static_cast<int>(current);
}

std::optional<std::string> normalize_phone(std::string_view raw) {
    if (!raw.empty() && raw.front() == '+') raw.remove_prefix(1);
    if (raw.empty() || raw.size() > 32) return std::nullopt;
    for (char c : raw)
        if (c < '0' || c > '9') return std::nullopt;
    return std::string(raw);
}

std::optional<std::size_t> utf8_length(std::string_view s) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (len == 0 || i + len > s.size()) return std::nullopt;
        for (std::size_t k = 1; k < len; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return std::nullopt;
        i += len;
        ++count;
    }
    return count;
}

std::string utf8_prefix(std::string_view s, std::size_t n) {
    std::size_t i = 0;
    for (std::size_t count = 0; i < s.size() && count < n; ++count) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
        i = std::min(s.size(), i + len);
    }
    return std::string(s.substr(0, i));
}

}  // namespace switchboard::chat
