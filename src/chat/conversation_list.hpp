// The agents' conversation list, picked from the activity board. Internal
// to src/chat.
#pragma once

#include "activity_board.hpp"
#include "switchboard/chat/engine.hpp"

namespace switchboard::chat {

// The page `q` asks for. The board narrows by its flags and its key (the
// activity, or the priority then the activity); only the conversations that
// may be on the page have their state read, first in the list's order first,
// until the page and the one after it are certain.
list_page listed_on_board(const activity_board& board, const list_query& q);

}  // namespace switchboard::chat
