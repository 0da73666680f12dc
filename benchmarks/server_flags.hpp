// The flags of the reference servers (bare_ceiling, plain_beast):
// `[--port N] [--threads N]`, threads defaulting to one per core.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

struct server_flags {
    unsigned short port = 0;
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
};

// Exits with a usage line naming `program` on anything else.
inline server_flags parse_server_flags(int argc, char** argv, const char* program) {
    server_flags out;
    for (int i = 1; i < argc; i += 2) {
        std::string flag = argv[i];
        if (i + 1 < argc && flag == "--port") out.port = static_cast<unsigned short>(std::stoi(argv[i + 1]));
        else if (i + 1 < argc && flag == "--threads") out.threads = static_cast<unsigned>(std::stoi(argv[i + 1]));
        else {
            std::cerr << "usage: " << program << " [--port N] [--threads N]\n";
            std::exit(2);
        }
    }
    return out;
}
