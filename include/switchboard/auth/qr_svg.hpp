// A QR code as an SVG image, drawn from libqrencode's modules.
#pragma once

#include <string>
#include <string_view>

namespace switchboard::auth {

// `text` as a QR code (error correction level M), dark modules on white with
// the standard four-module quiet zone, one SVG path. Throws
// std::runtime_error when libqrencode cannot encode it (too long).
std::string qr_svg(std::string_view text);

}  // namespace switchboard::auth
