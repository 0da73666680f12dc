#include "switchboard/http/static_files.hpp"

#include "temp_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>

namespace fs = std::filesystem;
using switchboard::http::resolve_static_path;

namespace {

struct web_tree {
    switchboard::test::temp_dir dir;
    fs::path root = dir.path() / "web";
    web_tree() {
        fs::create_directories(root / "css");
        std::ofstream(root / "index.html") << "<html></html>";
        std::ofstream(root / "css" / "app.css") << "body{}";
        std::ofstream(dir.path() / "secret.txt") << "secret";
        fs::create_symlink(dir.path() / "secret.txt", root / "leak.txt");
        fs::create_symlink(root / "css" / "app.css", root / "alias.css");
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(static_path)

BOOST_AUTO_TEST_CASE(serves_files_and_index) {
    web_tree t;
    BOOST_TEST(resolve_static_path(t.root, "/").value() == fs::canonical(t.root / "index.html"));
    BOOST_TEST(resolve_static_path(t.root, "/css/app.css").value() == fs::canonical(t.root / "css/app.css"));
    BOOST_TEST(resolve_static_path(t.root, "/alias.css").has_value());  // a symlink inside the root is fine
    BOOST_TEST(!resolve_static_path(t.root, "/missing.js"));
}

BOOST_AUTO_TEST_CASE(refuses_every_way_out) {
    web_tree t;
    for (auto path : {"/../secret.txt", "/css/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt",
                      "/css/%2e%2e/%2e%2e/secret.txt", "/leak.txt", "//etc/passwd", "/..%5csecret.txt",
                      "/index.html%00.css", "relative.txt", "/%zz"}) {
        BOOST_TEST_INFO("path " << path);
        BOOST_TEST(!resolve_static_path(t.root, path));
    }
}

BOOST_AUTO_TEST_CASE(mime_types) {
    using switchboard::http::mime_type_for;
    BOOST_TEST(mime_type_for("a.html") == "text/html; charset=utf-8");
    BOOST_TEST(mime_type_for("a.js") == "text/javascript; charset=utf-8");
    BOOST_TEST(mime_type_for("a.CSS") == "text/css; charset=utf-8");
    BOOST_TEST(mime_type_for("a.svg") == "image/svg+xml");
    BOOST_TEST(mime_type_for("a.bin") == "application/octet-stream");
}

BOOST_AUTO_TEST_SUITE_END()
