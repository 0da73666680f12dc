#include "switchboard/auth/qr_svg.hpp"

#include <qrencode.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace switchboard::auth {

std::string qr_svg(std::string_view text) {
    std::string z(text);  // libqrencode reads a C string
    std::unique_ptr<QRcode, decltype(&QRcode_free)> code(QRcode_encodeString8bit(z.c_str(), 0, QR_ECLEVEL_M),
                                                         &QRcode_free);
    if (!code) throw std::runtime_error(std::string("the QR code could not be made: ") + std::strerror(errno));
    constexpr int quiet = 4;
    int width = code->width;
    int size = width + 2 * quiet;
    std::string path;
    for (int y = 0; y < width; ++y)
        for (int x = 0; x < width; ++x)
            if (code->data[y * width + x] & 1)  // bit 0: dark
                path += "M" + std::to_string(x + quiet) + " " + std::to_string(y + quiet) + "h1v1h-1z";
    auto n = std::to_string(size);
    // crispEdges: no anti-aliased seams between modules for a camera to misread.
    return R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 )" + n + " " + n +
           R"(" shape-rendering="crispEdges"><rect width=")" + n + R"(" height=")" + n +
           R"(" fill="#fff"/><path fill="#000" d=")" + path + R"("/></svg>)";
}

}  // namespace switchboard::auth
