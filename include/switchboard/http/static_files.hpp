// Serving the console from a directory, with no way out of it.
#pragma once

#include "switchboard/http/router.hpp"

#include <filesystem>
#include <optional>
#include <string_view>

namespace switchboard::http {

// Maps a request path (still percent-encoded) to a regular file under `root`,
// or nullopt: `..` segments, encoded or not, NUL bytes, backslashes and
// symlinks that lead outside the root all give nullopt. A directory maps to
// its index.html.
std::optional<std::filesystem::path> resolve_static_path(const std::filesystem::path& root,
                                                         std::string_view request_path);

std::string_view mime_type_for(const std::filesystem::path& file);

// GET/HEAD handler for the router's fallback: 200 with ETag and
// Last-Modified, 304 on a matching If-None-Match, 404 otherwise.
handler make_static_handler(std::filesystem::path root);

}  // namespace switchboard::http
