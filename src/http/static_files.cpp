// Static files for the console. Files are small, so each is read whole.
#include "switchboard/http/static_files.hpp"

#include <chrono>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>

namespace switchboard::http {

namespace fs = std::filesystem;

namespace {

constexpr std::uintmax_t max_static_file = 16u << 20;

// Same-origin everything; nothing inline; no framing. The console's
// scripts and styles are files of their own.
constexpr std::string_view content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

std::string http_date(fs::file_time_type t) {
    auto sys = std::chrono::file_clock::to_sys(t);
    std::time_t tt = std::chrono::system_clock::to_time_t(sys);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

bool is_within(const fs::path& root, const fs::path& p) {
    auto r = root.begin(), re = root.end();
    auto i = p.begin(), ie = p.end();
    for (; r != re; ++r, ++i)
        if (i == ie || *r != *i) return false;
    return true;
}

}  // namespace

std::optional<fs::path> resolve_static_path(const fs::path& root, std::string_view request_path) {
    auto decoded = percent_decode(request_path);
    if (!decoded || decoded->empty() || decoded->front() != '/') return std::nullopt;
    if (decoded->find('\0') != std::string::npos || decoded->find('\\') != std::string::npos) return std::nullopt;

    fs::path relative;
    std::string_view rest = std::string_view(*decoded).substr(1);
    while (!rest.empty()) {
        auto slash = rest.find('/');
        auto seg = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
        if (seg.empty() || seg == ".") continue;
        if (seg == "..") return std::nullopt;
        relative /= std::string(seg);
    }

    std::error_code ec;
    auto canonical_root = fs::canonical(root, ec);
    if (ec) return std::nullopt;
    auto candidate = fs::canonical(canonical_root / relative, ec);  // follows symlinks
    if (ec || !is_within(canonical_root, candidate)) return std::nullopt;
    if (fs::is_directory(candidate, ec)) {
        candidate = fs::canonical(candidate / "index.html", ec);
        if (ec || !is_within(canonical_root, candidate)) return std::nullopt;
    }
    if (!fs::is_regular_file(candidate, ec)) return std::nullopt;
    return candidate;
}

std::string_view mime_type_for(const fs::path& file) {
    static const std::pair<std::string_view, std::string_view> types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".ico", "image/x-icon"},
        {".webp", "image/webp"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
        {".map", "application/json"},
    };
    auto ext = file.extension().string();
    for (auto& [e, type] : types)
        if (iequals(e, ext)) return type;
    return "application/octet-stream";
}

handler make_static_handler(fs::path root) {
    return [root = std::move(root)](request& req) -> boost::asio::awaitable<response> {
        auto file = resolve_static_path(root, req.path);
        if (!file) co_return response::error(404, "not_found", "no route or file for " + req.path);

        std::error_code ec;
        auto size = fs::file_size(*file, ec);
        auto mtime = fs::last_write_time(*file, ec);
        if (ec || size > max_static_file) co_return response::error(404, "not_found", "no file for " + req.path);

        auto since_epoch = mtime.time_since_epoch().count();
        std::ostringstream etag;
        etag << "\"" << std::hex << size << '-' << since_epoch << "\"";

        response res;
        res.set_header("ETag", etag.str());
        res.set_header("Last-Modified", http_date(mtime));
        res.set_header("Cache-Control", "no-cache");  // always revalidate: the console updates with the server
        res.set_header("X-Content-Type-Options", "nosniff");
        res.content_type = std::string(mime_type_for(*file));
        if (res.content_type.starts_with("text/html")) {
            res.set_header("Content-Security-Policy", std::string(content_security_policy));
            res.set_header("Referrer-Policy", "no-referrer");
        }

        auto inm = req.header("If-None-Match");
        if (!inm.empty() && inm.find(res.header("ETag")) != std::string_view::npos) {
            res.status = 304;
            res.content_type.clear();
            co_return res;
        }
        std::ifstream in(*file, std::ios::binary);
        res.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        if (!in && !in.eof()) co_return response::error(404, "not_found", "cannot read " + req.path);
        co_return res;
    };
}

}  // namespace switchboard::http
