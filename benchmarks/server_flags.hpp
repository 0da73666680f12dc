// The flags of the reference servers (bare_ceiling, plain_beast):
// `[--port N] [--threads N]`, threads defaulting to one per core.
#pragma once

#include "switchboard/core/whole_number.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <thread>

struct server_flags {
    unsigned short port = 0;
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
};

// `text` as a whole number from `low` to `high`, all of it; nothing otherwise.
inline std::optional<unsigned> whole_in(const char* text, unsigned low, unsigned high) {
    auto n = switchboard::parse_whole_number(text);
    if (!n || *n < low || *n > high) return std::nullopt;
    return static_cast<unsigned>(*n);
}

// Exits with a usage line naming `program` on anything else.
inline server_flags parse_server_flags(int argc, char** argv, const char* program) {
    server_flags out;
    for (int i = 1; i < argc; i += 2) {
        std::string flag = argv[i];
        std::optional<unsigned> n;
        if (i + 1 < argc && flag == "--port" && (n = whole_in(argv[i + 1], 0, 65535)))
            out.port = static_cast<unsigned short>(*n);
        else if (i + 1 < argc && flag == "--threads" && (n = whole_in(argv[i + 1], 1, 256)))
            out.threads = *n;
        else {
            std::cerr << "usage: " << program << " [--port 0-65535] [--threads 1-256]\n";
            std::exit(2);
        }
    }
    return out;
}
